// Monitoring a val_ metric without validation data.
// expect: cue: a callback monitors a metric that this loop does not produce.*val_ names need validation data
// expect-named-gnu: the_loop_(produces|fills)<.*cue::fixed_string<9>\{"val_loss"\}
// max-lines: 20
#include "common.hpp"

template <cue::fixed_string Monitor>
struct watcher {
  using monitored = cue::names<Monitor>;
  void on_epoch_end(auto&) {}
};

int main() {
  tiny_learner learner;
#ifdef CUE_MISTAKE
  cue::fit(learner, data, {.epochs = 1}, cue::callbacks{watcher<"val_loss">{}});
#else
  cue::fit(learner, data, data, {.epochs = 1}, cue::callbacks{watcher<"val_loss">{}});
#endif
}
