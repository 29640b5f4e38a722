// cue::nn::dense: a fully connected layer, y = x W + b (Keras's Dense, glorot-uniform weights).
#pragma once

#include <cmath>
#include <array>
#include <cstddef>
#include <random>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include <cue/nn/blas.hpp>

namespace cue::nn {

/// A dense layer of `inputs` x `outputs` float32 weights and `outputs` biases.
class dense {
 public:
  dense(std::size_t inputs, std::size_t outputs, std::mt19937_64& rng)
      : w_(xt::xtensor<float, 2>::from_shape({inputs, outputs})),
        b_(xt::zeros<float>({outputs})),
        dw_(xt::zeros<float>({inputs, outputs})),
        db_(xt::zeros<float>({outputs})) {
    // Keras's glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)); drawn from 24 bits of a
    // 64-bit engine so the weights do not depend on the standard library's distributions.
    const double limit = std::sqrt(6.0 / static_cast<double>(inputs + outputs));
    for (auto& v : w_)
      v = static_cast<float>((static_cast<double>(rng() >> 40) / double(1 << 24) * 2 - 1) * limit);
  }

  const xt::xtensor<float, 2>& forward(const xt::xtensor<float, 2>& x) {
    input_ = &x;
    const std::size_t n = x.shape()[0], in = w_.shape()[0], out = w_.shape()[1];
    if (y_.shape()[0] != n) y_ = xt::xtensor<float, 2>::from_shape({n, out});
    for (std::size_t r = 0; r < n; ++r) std::copy_n(b_.data(), out, y_.data() + r * out);
    gemm(false, false, n, out, in, x.data(), w_.data(), y_.data(), 1.0f);
    return y_;
  }

  /// Gradients of the weights from dL/dy; returns dL/dx when `need_dx` (the first layer skips it).
  const xt::xtensor<float, 2>& backward(const xt::xtensor<float, 2>& dy, bool need_dx) {
    const std::size_t n = dy.shape()[0], in = w_.shape()[0], out = w_.shape()[1];
    gemm(true, false, in, out, n, input_->data(), dy.data(), dw_.data());
    std::fill(db_.begin(), db_.end(), 0.0f);
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t c = 0; c < out; ++c) db_(c) += dy(r, c);
    if (need_dx) {
      if (dx_.shape()[0] != n) dx_ = xt::xtensor<float, 2>::from_shape({n, in});
      gemm(false, true, n, in, out, dy.data(), w_.data(), dx_.data());
    }
    return dx_;
  }

  /// Keras's names: the layer's kind (numbered dense, dense_1, ... in a model) and its weights'.
  static constexpr std::string_view kind = "dense";
  static constexpr std::array<std::string_view, 2> parameter_names{"kernel", "bias"};
  std::vector<std::span<float>> parameters() { return {std::span<float>(w_.data(), w_.size()), std::span<float>(b_.data(), b_.size())}; }
  std::vector<std::span<float>> gradients() { return {std::span<float>(dw_.data(), dw_.size()), std::span<float>(db_.data(), db_.size())}; }
  std::vector<std::vector<std::size_t>> shapes() const {
    return {{w_.shape()[0], w_.shape()[1]}, {b_.shape()[0]}};
  }

 private:
  xt::xtensor<float, 2> w_;
  xt::xtensor<float, 1> b_;
  xt::xtensor<float, 2> dw_;
  xt::xtensor<float, 1> db_;
  const xt::xtensor<float, 2>* input_ = nullptr;
  xt::xtensor<float, 2> y_, dx_;
};

}  // namespace cue::nn
