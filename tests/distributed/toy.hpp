// The data and model the data-parallel tests train, on one process and under mpirun.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include <cue/nn.hpp>

namespace cue_test {

/// n examples of 4 features in 3 classes, each class lifting one feature.
inline cue::data::dataset toy(std::size_t n, unsigned seed) {
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({n, 4}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  for (std::size_t i = 0; i < n; ++i) {
    d.y(i) = static_cast<std::int32_t>(i % 3);
    for (std::size_t j = 0; j < 4; ++j) d.x(i, j) = noise(rng) + (j == static_cast<std::size_t>(d.y(i)) ? 2.0f : 0.0f);
  }
  return d;
}

/// 4 -> `hidden` relu -> 3 with Adam, its weights from `seed`.
inline auto model(unsigned seed, std::size_t hidden = 8) {
  std::mt19937_64 rng(seed);
  return cue::nn::classifier(cue::nn::sequential{cue::nn::dense(4, hidden, rng), cue::nn::relu{}, cue::nn::dense(hidden, 3, rng)},
                             cue::nn::adam({.learning_rate = 0.01}));
}

}  // namespace cue_test
