// on_after_backward needs a learner with the split step.
// expect: cue: a callback handles on_after_backward, which needs a learner with the split step
// expect-gnu: Learner = tiny_learner
// max-lines: 20
#include "common.hpp"

struct clipper {
  void on_after_backward(auto&) {}
};

#ifndef CUE_MISTAKE
struct split_learner {
  cue::logs<"loss", "accuracy"> forward_backward(double x) { return {x, 0.5}; }
  void apply_gradients() {}
};
#endif

int main() {
#ifdef CUE_MISTAKE
  tiny_learner learner;
#else
  split_learner learner;
#endif
  cue::fit(learner, data, {.epochs = 1}, clipper{});
}
