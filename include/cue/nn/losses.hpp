// The losses of cue's nn learners: softmax cross-entropy (from logits) and mean squared error.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <xtensor/xtensor.hpp>

namespace cue::nn {

/// A loss value, the fraction of correct predictions, and dL/d(output).
struct loss_result {
  double loss = 0;
  double accuracy = 0;
};

/// Mean softmax cross-entropy of `logits` [n, classes] against integer `labels`, computed stably
/// (log-sum-exp with the row maximum subtracted; Keras's SparseCategoricalCrossentropy with
/// from_logits=True). Writes the gradient (softmax - one_hot) / n into `grad` when given.
inline loss_result softmax_cross_entropy(const xt::xtensor<float, 2>& logits,
                                         const xt::xtensor<std::int32_t, 1>& labels,
                                         xt::xtensor<float, 2>* grad = nullptr) {
  const std::size_t n = logits.shape()[0], k = logits.shape()[1];
  if (labels.size() != n) throw std::invalid_argument("cue: softmax_cross_entropy: labels and logits disagree");
  if (grad && grad->shape() != logits.shape()) *grad = xt::xtensor<float, 2>::from_shape(logits.shape());
  double loss = 0;
  std::size_t correct = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const float* z = logits.data() + r * k;
    const auto label = static_cast<std::size_t>(labels(r));
    if (label >= k)
      throw std::invalid_argument("cue: softmax_cross_entropy: label " + std::to_string(labels(r)) +
                                  " is not below the " + std::to_string(k) + " classes");
    std::size_t best = 0;
    for (std::size_t c = 1; c < k; ++c)
      if (z[c] > z[best]) best = c;
    const float max = z[best];
    double sum = 0;
    for (std::size_t c = 0; c < k; ++c) sum += std::exp(static_cast<double>(z[c] - max));
    loss += std::log(sum) - static_cast<double>(z[label] - max);
    correct += best == label;
    if (grad) {
      float* g = grad->data() + r * k;
      for (std::size_t c = 0; c < k; ++c)
        g[c] = static_cast<float>(std::exp(static_cast<double>(z[c] - max)) / sum /
                                  static_cast<double>(n));
      g[label] -= 1.0f / static_cast<float>(n);
    }
  }
  return {loss / static_cast<double>(n), static_cast<double>(correct) / static_cast<double>(n)};
}

/// Mean squared error of `prediction` against `target` (same shape); writes 2 (p - t) / size
/// into `grad` when given. `accuracy` is 0.
inline loss_result mse(const xt::xtensor<float, 2>& prediction, const xt::xtensor<float, 2>& target,
                       xt::xtensor<float, 2>* grad = nullptr) {
  if (prediction.shape() != target.shape()) throw std::invalid_argument("cue: mse: shapes disagree");
  if (grad && grad->shape() != prediction.shape())
    *grad = xt::xtensor<float, 2>::from_shape(prediction.shape());
  const std::size_t size = prediction.size();
  double sum = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const double d = static_cast<double>(prediction.data()[i]) - target.data()[i];
    sum += d * d;
    if (grad) grad->data()[i] = static_cast<float>(2 * d / static_cast<double>(size));
  }
  return {sum / static_cast<double>(size), 0.0};
}

}  // namespace cue::nn
