// reduce_lr_on_plateau with a learner that has no learning rate.
// expect: cue: the callback type 'Callback' needs a learner with learning_rate\(\) and set_learning_rate\(double\)
// expect-gnu: Callback = cue::reduce_lr_on_plateau<
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/reduce_lr_on_plateau.hpp>

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
  cue::fit(learner, data, data, {.epochs = 1}, cue::reduce_lr_on_plateau<"val_loss">{});
}
