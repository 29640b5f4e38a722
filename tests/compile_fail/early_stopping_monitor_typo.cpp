// A built-in callback monitoring a metric the loop does not produce.
// expect: cue: a callback monitors a metric that this loop does not produce
// expect-gnu: Callback = cue::early_stopping<cue::fixed_string<9>{"val_accu"}>
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/early_stopping.hpp>

int main() {
  tiny_learner learner;
#ifdef CUE_MISTAKE
  cue::early_stopping<"val_accu"> es({.mode = cue::mode::max});
#else
  cue::early_stopping<"val_accuracy"> es;
#endif
  cue::fit(learner, data, data, {.epochs = 1}, es);
}
