// A listener whose `on` takes the event alone would never hear it.
// expect: cue: a listener's `on` takes the event but not the context
// expect-named: on_takes_the_context<audit, cue::checkpoint_saved>
// max-lines: 20
#include "common.hpp"

#include <cue/run_events.hpp>

struct audit {
  using listens = cue::listens<cue::checkpoint_saved>;
#ifdef CUE_MISTAKE
  void on(const cue::checkpoint_saved&) {}
#else
  void on(const cue::checkpoint_saved&, auto&) {}
#endif
};

int main() {
  file_learner learner;
  cue::fit(learner, data, {.epochs = 1}, audit{}, cue::model_checkpoint<"loss">({.filepath = "m"}));
}
