// terminate_on_nan watches `loss`; a learner whose logs have no loss cannot use it.
// expect: cue: a callback monitors a metric that this loop does not produce
// expect-named-gnu: the_loop_(produces|fills)<.*cue::fixed_string<5>\{"loss"\}
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/terminate_on_nan.hpp>

struct scored_learner {
#ifdef CUE_MISTAKE
  cue::logs<"error"> train_step(double x) { return {x}; }
#else
  cue::logs<"loss"> train_step(double x) { return {x}; }
#endif
};

int main() {
  scored_learner learner;
  cue::fit(learner, data, {.epochs = 1}, cue::terminate_on_nan{});
}
