// A callback emits an event it does not declare in `emits`.
// expect: cue: the callback type 'Sender' emits the event 'Event' without declaring it
// expect-gnu: Sender = announcer, Event = cue::learning_rate_changed
// max-lines: 30
// (30: the mistake is found where the hook runs, so g++ shows the way there)
#include "common.hpp"

#include <cue/run_events.hpp>

struct announcer {
#ifndef CUE_MISTAKE
  using emits = cue::emits<cue::learning_rate_changed>;
#endif
  void on_epoch_end(auto& ctx) { ctx.emit(cue::learning_rate_changed{0.1, 0.01}); }
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, announcer{});
}
