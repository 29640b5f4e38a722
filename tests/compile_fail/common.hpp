// A learner and data shared by the compile-fail tests.
#pragma once

#include <filesystem>
#include <vector>

#include <cue/cue.hpp>

struct tiny_learner {
  double w = 0;
  cue::logs<"loss", "accuracy"> train_step(double x) { return {x * w, 0.5}; }
  cue::logs<"loss", "accuracy"> test_step(double x) { return {x * w, 0.5}; }
};

// The same, with files (for model_checkpoint).
struct file_learner : tiny_learner {
  void save(const std::filesystem::path&) {}
  void load(const std::filesystem::path&) {}
};

inline const std::vector<double> data{1.0, 2.0};
