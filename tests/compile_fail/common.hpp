// A learner and data shared by the compile-fail tests.
#pragma once

#include <vector>

#include <cue/cue.hpp>

struct tiny_learner {
  double w = 0;
  cue::logs<"loss", "accuracy"> train_step(double x) { return {x * w, 0.5}; }
  cue::logs<"loss", "accuracy"> test_step(double x) { return {x * w, 0.5}; }
};

inline const std::vector<double> data{1.0, 2.0};
