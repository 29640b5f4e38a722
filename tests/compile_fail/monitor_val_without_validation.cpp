// Monitoring a val_ metric without validation data.
// expect: cue: the callback type 'Callback' monitors the metric 'Wanted'.*val_ names need validation data
// expect-gnu: Wanted = cue::fixed_string<9>{"val_loss"}
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
