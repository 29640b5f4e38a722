// A learner data_parallel accepts, for the distributed compile-fail tests.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "common.hpp"

#include <cue/distributed/data_parallel.hpp>

struct split_learner : file_learner {
  std::array<double, 1> g{}, w{};
  cue::logs<"loss", "accuracy"> forward_backward(double x) { return train_step(x); }
  void apply_gradients() {}
  std::vector<std::span<double>> gradients() { return {std::span<double>(g)}; }
  std::vector<std::span<double>> parameters() { return {std::span<double>(w)}; }
};
