// A callback needs a learner capability the learner lacks.
// expect: cue: the callback type 'Callback' needs a learner with learning_rate\(\) and set_learning_rate\(double\)
// expect-gnu: Callback = lr_logger.*Learner = tiny_learner
// max-lines: 20
#include "common.hpp"

struct lr_logger {
  using needs = cue::needs<cue::capability::learning_rate>;
  void on_epoch_end(auto&) {}
};

#ifndef CUE_MISTAKE
struct tuned_learner : tiny_learner {
  double lr = 0.1;
  double learning_rate() const { return lr; }
  void set_learning_rate(double v) { lr = v; }
};
#endif

int main() {
#ifdef CUE_MISTAKE
  tiny_learner learner;
#else
  tuned_learner learner;
#endif
  cue::fit(learner, data, {.epochs = 1}, lr_logger{});
}
