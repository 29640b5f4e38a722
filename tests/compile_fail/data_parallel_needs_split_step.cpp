// Data-parallel training with a learner that has only a fused train_step.
// expect: cue: data_parallel needs the learner's split step
// max-lines: 25
#include "common.hpp"

#include <array>
#include <span>
#include <vector>

#include <cue/distributed/data_parallel.hpp>

#ifdef CUE_MISTAKE
using learner = tiny_learner;
#else
struct learner : tiny_learner {
  std::array<double, 1> g{}, w{};
  cue::logs<"loss", "accuracy"> forward_backward(double x) { return train_step(x); }
  void apply_gradients() {}
  std::vector<std::span<double>> gradients() { return {std::span<double>(g)}; }
  std::vector<std::span<double>> parameters() { return {std::span<double>(w)}; }
};
#endif

int main() {
  learner l;
  cue::single_process one;
  cue::data_parallel parallel(l, one);
  (void)parallel;
}
