// cue::nn::sgd: stochastic gradient descent with momentum and Nesterov (Keras 3's SGD).
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <cue/io/checkpoint.hpp>
#include <cue/nn/optimizer_state.hpp>

namespace cue::nn {

/// Options of `sgd`, named and defaulted as Keras's.
struct sgd_options {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
};

/// Keras 3's SGD: without momentum w -= lr g; with it, m = momentum m - lr g, then w += m
/// (or, Nesterov, w += momentum m - lr g).
class sgd {
 public:
  explicit sgd(sgd_options o = {}) : o_(o) {
    if (o.momentum < 0 || o.momentum > 1)
      throw std::invalid_argument("cue: sgd: momentum must be in [0, 1], got " + std::to_string(o.momentum));
  }

  void apply(const std::vector<std::span<float>>& params, const std::vector<std::span<float>>& grads) {
    const auto lr = static_cast<float>(o_.learning_rate), mu = static_cast<float>(o_.momentum);
    if (o_.momentum != 0 && m_.size() != params.size())
      for (const auto& p : params) m_.emplace_back(p.size(), 0.0f);
    for (std::size_t i = 0; i < params.size(); ++i) {
      float* w = params[i].data();
      const float* g = grads[i].data();
      const std::size_t n = params[i].size();
      if (o_.momentum == 0) {
        for (std::size_t j = 0; j < n; ++j) w[j] -= lr * g[j];
      } else {
        float* m = m_[i].data();
        for (std::size_t j = 0; j < n; ++j) {
          m[j] = mu * m[j] - lr * g[j];
          w[j] += o_.nesterov ? mu * m[j] - lr * g[j] : m[j];
        }
      }
    }
    ++iterations_;
  }

  [[nodiscard]] double learning_rate() const noexcept { return o_.learning_rate; }
  void set_learning_rate(double lr) noexcept { o_.learning_rate = lr; }
  [[nodiscard]] std::size_t iterations() const noexcept { return iterations_; }

  /// Adds the optimizer's state to a checkpoint: the momenta, and the step count exactly.
  void save_state(io::checkpoint& c) const { save_optimizer(c, "sgd", iterations_, {{"m", &m_}}); }
  /// Restores it from `c`, whose momenta must fit `params`; nothing changes when `c` does not.
  void load_state(const io::checkpoint& c, const std::vector<std::span<float>>& params) {
    const auto iterations = load_iterations(c, "sgd");
    m_ = load_buffers(c, "sgd", "m", params, false), iterations_ = iterations;
  }

 private:
  sgd_options o_;
  std::vector<std::vector<float>> m_;
  std::size_t iterations_ = 0;
};

}  // namespace cue::nn
