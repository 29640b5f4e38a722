// cue::clip_grad_value: clamp every gradient to [-clip_value, clip_value] (PyTorch's
// clip_grad_value_, Lightning's gradient_clip_algorithm="value").
#pragma once

#include <algorithm>
#include <concepts>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/learner.hpp>
#include <cue/python_format.hpp>

namespace cue {

/// Options of `cue::clip_grad_value`.
struct clip_grad_value_options {
  double clip_value = 0.5;  ///< every gradient is clamped to [-clip_value, clip_value]
};

/// The fields of clip_grad_value_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<clip_grad_value_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("clip_grad_value_options",
                  field{"clip_value", &O::clip_value});
}

/// After backward and before the update, clamps each gradient value.
///
/// Hooks: on_after_backward (so the learner must have the split step). Needs `gradients()`.
class clip_grad_value {
 public:
  using needs = cue::needs<capability::gradients>;
  using options = clip_grad_value_options;

  clip_grad_value() = default;
  explicit clip_grad_value(const options& opts) : opts_(opts) {
    if (!(opts.clip_value > 0))
      throw std::invalid_argument("cue: clip_grad_value: clip_value must be > 0, got " +
                                  python_repr(opts.clip_value));
  }

  void on_after_backward(auto& ctx) {
    for (auto&& g : ctx.learner().gradients())
      for (auto& v : g) {
        using T = std::remove_cvref_t<decltype(v)>;
        v = std::clamp(v, static_cast<T>(-opts_.clip_value), static_cast<T>(opts_.clip_value));
      }
  }

  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  options opts_{};
};

}  // namespace cue
