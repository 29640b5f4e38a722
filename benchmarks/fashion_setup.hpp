// What the Fashion-MNIST benchmarks share: the example's network, and images of the dataset's shape
// for where it is not installed or where the values do not matter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include <cue/data/dataset.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>

namespace cue_bench {

/// `n` random 28x28 images with values in [0, 1] and labels 0-9, the same on every call.
inline cue::data::dataset random_fashion_images(std::size_t n) {
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({n, 784}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
  std::mt19937_64 rng(1);
  for (auto& v : d.x) v = static_cast<float>(rng() % 256) / 255.0f;
  for (auto& y : d.y) y = static_cast<std::int32_t>(rng() % 10);
  return d;
}

/// The example's network, 784 -> 128 relu -> 10 with Adam at 1e-3, its weights drawn from seed 42.
inline auto fashion_network() {
  std::mt19937_64 rng(42);
  cue::nn::sequential net{cue::nn::dense(784, 128, rng), cue::nn::relu{}, cue::nn::dense(128, 10, rng)};
  return cue::nn::classifier(std::move(net), cue::nn::adam({.learning_rate = 1e-3}));
}

}  // namespace cue_bench
