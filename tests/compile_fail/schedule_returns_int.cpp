// A learning-rate schedule must return a floating-point rate.
// expect: cue: learning_rate_scheduler needs a schedule callable as double\(int epoch, double lr\)
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/learning_rate_scheduler.hpp>

struct tuned_learner : tiny_learner {
  double lr = 0.1;
  double learning_rate() const { return lr; }
  void set_learning_rate(double v) { lr = v; }
};

int main() {
  tuned_learner learner;
#ifdef CUE_MISTAKE
  auto schedule = [](int epoch) { return epoch < 5 ? 1 : 0; };
#else
  auto schedule = [](int epoch) { return epoch < 5 ? 1.0 : 0.1; };
#endif
  cue::fit(learner, data, {.epochs = 1}, cue::learning_rate_scheduler(schedule));
}
