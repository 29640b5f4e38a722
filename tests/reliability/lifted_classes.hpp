// The data the resume tests train on: n examples of `features` uniform noise features in
// `classes` classes, each class lifting every `classes`-th feature by `lift`. Fixed by its seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include <cue/data/dataset.hpp>

namespace cue_test {

inline cue::data::dataset lifted_classes(std::size_t n, std::size_t features, std::size_t classes, float lift) {
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({n, features}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
  std::mt19937_64 r(3);
  for (std::size_t i = 0; i < n; ++i) {
    d.y(i) = static_cast<std::int32_t>(r() % classes);
    for (std::size_t f = 0; f < features; ++f)
      d.x(i, f) = static_cast<float>(r() % 1000) / 1000.0f + (f % classes == static_cast<std::size_t>(d.y(i)) ? lift : 0.0f);
  }
  return d;
}

}  // namespace cue_test
