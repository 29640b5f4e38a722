// cue::nn::sequential: layers applied in order, gradients back in reverse order.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace cue::nn {

/// Layers composed at compile time: `sequential model{dense(784, 128, rng), relu{}, dense(128, 10, rng)}`.
/// A layer has forward(x), backward(dy, need_dx), parameters(), gradients() and shapes().
template <class... Layers>
class sequential {
 public:
  explicit sequential(Layers... layers) : layers_(std::move(layers)...) {}

  const xt::xtensor<float, 2>& forward(const xt::xtensor<float, 2>& x) {
    return forward_from<0>(x);
  }
  /// Back-propagates dL/d(output); the first layer computes no input gradient.
  void backward(const xt::xtensor<float, 2>& dy) { backward_from<sizeof...(Layers) - 1>(dy); }

  /// Every parameter buffer, in layer order (weights then biases).
  std::vector<std::span<float>> parameters() { return collect([](auto& l) { return l.parameters(); }); }
  /// Every parameter buffer with its Keras weight path (`sequential/dense/kernel`,
  /// `sequential/dense_1/bias`, ...: layers of a kind numbered in order), for TensorBoard.
  std::vector<std::pair<std::string, std::span<const float>>> named_parameters() {
    std::vector<std::pair<std::string, std::span<const float>>> out;
    std::map<std::string_view, int> seen;
    std::apply([&](auto&... l) { (name_parameters(l, seen, out), ...); }, layers_);
    return out;
  }
  /// The gradient buffers, aligned with parameters().
  std::vector<std::span<float>> gradients() { return collect([](auto& l) { return l.gradients(); }); }
  /// The shape of each parameter buffer.
  std::vector<std::vector<std::size_t>> shapes() const {
    std::vector<std::vector<std::size_t>> out;
    std::apply([&](const auto&... l) { (append(out, l.shapes()), ...); }, layers_);
    return out;
  }

 private:
  template <class Layer>
  static void name_parameters(Layer& l, std::map<std::string_view, int>& seen,
                              std::vector<std::pair<std::string, std::span<const float>>>& out) {
    if constexpr (requires { Layer::kind; Layer::parameter_names; }) {
      const int n = seen[Layer::kind]++;
      std::string layer = "sequential/";
      layer += Layer::kind;
      if (n > 0) layer += "_" + std::to_string(n);
      const auto params = l.parameters();
      for (std::size_t i = 0; i < params.size(); ++i) {
        std::string name = layer;
        name += '/';
        name += Layer::parameter_names[i];
        out.emplace_back(std::move(name), params[i]);
      }
    }
  }
  template <class V>
  static void append(V& out, V more) {
    for (auto& m : more) out.push_back(std::move(m));
  }
  template <class F>
  std::vector<std::span<float>> collect(F f) {
    std::vector<std::span<float>> out;
    std::apply([&](auto&... l) { (append(out, f(l)), ...); }, layers_);
    return out;
  }
  template <std::size_t I>
  const xt::xtensor<float, 2>& forward_from(const xt::xtensor<float, 2>& x) {
    const auto& y = std::get<I>(layers_).forward(x);
    if constexpr (I + 1 < sizeof...(Layers))
      return forward_from<I + 1>(y);
    else
      return y;
  }
  template <std::size_t I>
  void backward_from(const xt::xtensor<float, 2>& dy) {
    const auto& dx = std::get<I>(layers_).backward(dy, I > 0);
    if constexpr (I > 0) backward_from<I - 1>(dx);
  }

  std::tuple<Layers...> layers_;
};

}  // namespace cue::nn
