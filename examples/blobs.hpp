// The toy data of the small examples: two noisy blobs in the plane, labelled 0 and 1, in batches
// of 32 samples.
#pragma once

#include <random>
#include <vector>

struct sample {
  double x1, x2, label;
};
using batch = std::vector<sample>;  // its size() weighs the running means, as in Keras

inline std::vector<batch> blobs(int batches, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<batch> out(static_cast<std::size_t>(batches));
  for (auto& b : out)
    for (int i = 0; i < 32; ++i) {
      const double label = i % 2;
      b.push_back({noise(rng) + 2 * label, noise(rng) - 2 * label, label});
    }
  return out;
}
