// Gradient clipping with a split learner that does not expose its gradients.
// expect: cue: the callback type 'Callback' needs a learner with gradients\(\)
// expect-gnu: Callback = cue::clip_grad_norm
// max-lines: 20
#include <span>
#include <vector>

#include "common.hpp"

#include <cue/callbacks/clip_grad_norm.hpp>

struct split_learner {
  std::vector<float> g{1.0f};
  cue::logs<"loss"> forward_backward(double x) { return {x}; }
  void apply_gradients() {}
#ifndef CUE_MISTAKE
  std::vector<std::span<float>> gradients() { return {std::span<float>(g)}; }
#endif
};

int main() {
  split_learner learner;
  cue::fit(learner, data, {.epochs = 1}, cue::clip_grad_norm{});
}
