// A callback listens to an event that no callback of the fit emits (here: no model_checkpoint).
// expect: cue: the callback type 'C' listens to the event 'Event', which no callback of this fit emits
// expect-gnu: C = registry, Event = cue::checkpoint_saved
// max-lines: 20
#include "common.hpp"

#include <cue/run_events.hpp>

struct registry {
  using listens = cue::listens<cue::checkpoint_saved>;
  void on(const cue::checkpoint_saved&, auto&) {}
};

int main() {
  file_learner learner;
#ifdef CUE_MISTAKE
  cue::fit(learner, data, {.epochs = 1}, registry{});
#else
  cue::fit(learner, data, {.epochs = 1}, registry{}, cue::model_checkpoint<"loss">({.filepath = "m"}));
#endif
}
