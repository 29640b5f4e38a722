// The learner of the small examples that use every capability: a logistic regression on the
// two noisy blobs of blobs.hpp.
#pragma once

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>
#include <vector>

#include <cue/logs.hpp>

#include "blobs.hpp"  // sample, batch, blobs(n, seed): the toy data

// The whole learner contract: the split step (so gradients can be clipped), an in-memory state,
// files, and a learning rate.
class logistic_regression {
 public:
  cue::logs<"loss", "accuracy"> test_step(const batch& xs) const {
    double loss = 0, correct = 0;
    for (const auto& s : xs) {
      const double p = prob(s);
      loss -= s.label * std::log(p) + (1 - s.label) * std::log(1 - p);
      correct += (p > 0.5) == (s.label > 0.5);
    }
    return {loss / xs.size(), correct / xs.size()};
  }
  cue::logs<"loss", "accuracy"> forward_backward(const batch& xs) {
    grad_ = {};
    for (const auto& s : xs) {
      const double e = prob(s) - s.label;
      grad_[0] += e * s.x1 / xs.size(), grad_[1] += e * s.x2 / xs.size(), grad_[2] += e / xs.size();
    }
    return test_step(xs);
  }
  std::vector<std::span<double>> gradients() { return {std::span<double>(grad_)}; }
  void apply_gradients() {
    for (std::size_t i = 0; i < w_.size(); ++i) w_[i] -= lr_ * grad_[i];
  }
  std::array<double, 3> state() const { return w_; }
  void load_state(const std::array<double, 3>& w) { w_ = w; }
  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr) { lr_ = lr; }
  void save(const std::filesystem::path& p) const { std::ofstream(p) << w_[0] << ' ' << w_[1] << ' ' << w_[2]; }
  void load(const std::filesystem::path& p) { std::ifstream(p) >> w_[0] >> w_[1] >> w_[2]; }

 private:
  double prob(const sample& s) const {
    return 1 / (1 + std::exp(-(w_[0] * s.x1 + w_[1] * s.x2 + w_[2])));
  }
  std::array<double, 3> w_{}, grad_{};
  double lr_ = 1.0;
};
