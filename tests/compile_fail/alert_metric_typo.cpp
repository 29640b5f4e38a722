// An alert rule on a metric the loop does not produce: the same error as early stopping's.
// expect: cue: a callback monitors a metric that this loop does not produce
// expect-named-gnu: the_loop_(produces|fills)<.*cue::fixed_string<8>\{"val_los"\}
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/alert.hpp>

struct nowhere {
  std::string describe() const { return "nowhere"; }
  std::string deliver(const cue::alert_message&) { return {}; }
};

int main() {
  tiny_learner learner;
#ifdef CUE_MISTAKE
  cue::alert alert({.sinks = {nowhere{}}}, cue::rules::non_finite<"loss">{}, cue::rules::above<"val_los">{10.0});
#else
  cue::alert alert({.sinks = {nowhere{}}}, cue::rules::non_finite<"loss">{}, cue::rules::above<"val_loss">{10.0});
#endif
  cue::fit(learner, data, data, {.epochs = 1, .verbose = 0}, alert);
}
