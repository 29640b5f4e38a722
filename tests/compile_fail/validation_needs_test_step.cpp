// Validation data needs test_step.
// expect: cue: the type 'Learner' cannot evaluate the batch type 'Batch'. add test_step
// expect-gnu: Learner = train_only
// max-lines: 20
#include "common.hpp"

struct train_only {
  cue::logs<"loss"> train_step(double x) { return {x}; }
};

int main() {
  train_only model;
#ifdef CUE_MISTAKE
  cue::fit(model, data, data, {.epochs = 1});
#else
  cue::fit(model, data, {.epochs = 1});
#endif
}
