// cue::nn::adam: Adam (Keras 3's, with its defaults).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cue/io/checkpoint.hpp>
#include <cue/nn/adam_kernels.hpp>
#include <cue/nn/optimizer_state.hpp>

namespace cue::nn {

/// Options of `adam`, named and defaulted as Keras's.
struct adam_options {
  double learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
};

/// Keras 3's Adam: m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2);
/// w -= alpha m / (sqrt(v) + epsilon) with alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t).
class adam {
 public:
  explicit adam(adam_options o = {}) : o_(o) {
    if (!(o.beta_1 >= 0 && o.beta_1 < 1) || !(o.beta_2 >= 0 && o.beta_2 < 1))
      throw std::invalid_argument("cue: adam: beta_1 and beta_2 must be in [0, 1)");
  }

  void apply(const std::vector<std::span<float>>& params, const std::vector<std::span<float>>& grads) {
    if (m_.size() != params.size()) {
      m_.clear(), v_.clear();
      for (const auto& p : params) m_.emplace_back(p.size(), 0.0f), v_.emplace_back(p.size(), 0.0f);
    }
    ++iterations_;
    const double t = static_cast<double>(iterations_);
    const auto alpha = static_cast<float>(o_.learning_rate * std::sqrt(1 - std::pow(o_.beta_2, t)) /
                                          (1 - std::pow(o_.beta_1, t)));
    const auto one_minus_b1 = static_cast<float>(1 - o_.beta_1),
               one_minus_b2 = static_cast<float>(1 - o_.beta_2), eps = static_cast<float>(o_.epsilon);
    const auto update = detail::chosen_adam().kernel;
    for (std::size_t i = 0; i < params.size(); ++i)
      update(params[i].data(), grads[i].data(), m_[i].data(), v_[i].data(), params[i].size(),
             {alpha, one_minus_b1, one_minus_b2, eps});
  }

  /// The SIMD variant the update runs (`sse2`, `avx`, `avx512f` or `portable`): the fastest this
  /// CPU runs, measured once per process, unless the environment variable `CUE_SIMD` names one.
  /// Every variant computes the same bits.
  [[nodiscard]] static std::string_view simd_variant() { return detail::chosen_adam().name; }

  [[nodiscard]] double learning_rate() const noexcept { return o_.learning_rate; }
  void set_learning_rate(double lr) noexcept { o_.learning_rate = lr; }
  [[nodiscard]] std::size_t iterations() const noexcept { return iterations_; }

  /// Adds the optimizer's state to a checkpoint: the moments, and the step count exactly.
  void save_state(io::checkpoint& c) const { save_optimizer(c, "adam", iterations_, {{"m", &m_}, {"v", &v_}}); }
  /// Restores it from `c`, whose moments must fit `params`; nothing changes when `c` does not.
  void load_state(const io::checkpoint& c, const std::vector<std::span<float>>& params) {
    const auto iterations = load_iterations(c, "adam");
    const bool stepped = iterations > 0 || c.arrays.contains("adam.m.0");
    auto m = load_buffers(c, "adam", "m", params, stepped);
    auto v = load_buffers(c, "adam", "v", params, stepped);
    m_ = std::move(m), v_ = std::move(v), iterations_ = iterations;
  }

 private:
  adam_options o_;
  std::vector<std::vector<float>> m_, v_;
  std::size_t iterations_ = 0;
};

}  // namespace cue::nn
