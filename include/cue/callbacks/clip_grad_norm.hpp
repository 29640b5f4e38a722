// cue::clip_grad_norm: scale the gradients down when their norm is too large (PyTorch's
// clip_grad_norm_, Lightning's gradient_clip_algorithm="norm").
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/learner.hpp>
#include <cue/python_format.hpp>

namespace cue {

/// Options of `cue::clip_grad_norm`, as PyTorch's `clip_grad_norm_`.
struct clip_grad_norm_options {
  double max_norm = 1.0;   ///< the largest norm the gradients keep
  double norm_type = 2.0;  ///< p of the p-norm over all gradients together; infinity: the max |g|
};

/// The fields of clip_grad_norm_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<clip_grad_norm_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("clip_grad_norm_options",
                  field{"max_norm", &O::max_norm},
                  field{"norm_type", &O::norm_type});
}

/// After backward and before the update, computes the norm of all gradients together and, when it
/// exceeds `max_norm`, multiplies every gradient by max_norm / (norm + 1e-6), as PyTorch does.
///
/// Hooks: on_after_backward (so the learner must have the split step). Needs `gradients()`.
class clip_grad_norm {
 public:
  using needs = cue::needs<capability::gradients>;
  using options = clip_grad_norm_options;

  clip_grad_norm() = default;
  explicit clip_grad_norm(const options& opts) : opts_(opts) {
    if (!(opts.max_norm > 0))
      throw std::invalid_argument("cue: clip_grad_norm: max_norm must be > 0, got " +
                                  python_repr(opts.max_norm));
    if (!(opts.norm_type > 0))
      throw std::invalid_argument("cue: clip_grad_norm: norm_type must be > 0, got " +
                                  python_repr(opts.norm_type));
  }

  void on_after_backward(auto& ctx) {
    auto&& grads = ctx.learner().gradients();
    double norm = 0;
    const bool inf = std::isinf(opts_.norm_type);
    for (auto&& g : grads)
      for (auto v : g) {
        const double a = std::fabs(static_cast<double>(v));
        norm = inf ? std::max(norm, a) : norm + std::pow(a, opts_.norm_type);
      }
    if (!inf) norm = std::pow(norm, 1.0 / opts_.norm_type);
    last_norm_ = norm;
    const double scale = opts_.max_norm / (norm + 1e-6);
    if (scale >= 1) return;
    for (auto&& g : grads)
      for (auto& v : g) v = static_cast<std::remove_cvref_t<decltype(v)>>(v * scale);
  }

  /// The norm of the gradients before clipping, at the last batch.
  [[nodiscard]] double last_norm() const noexcept { return last_norm_; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  options opts_{};
  double last_norm_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace cue
