// A callback monitors a metric the loop does not produce (a typo).
// expect: cue: a callback monitors a metric that this loop does not produce
// expect-named-gnu: the_loop_(produces|fills)<.*cue::fixed_string<8>\{"val_los"\}
// expect-gnu: Available = {.*"loss".*"accuracy".*"val_loss".*"val_accuracy".*}
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
  cue::fit(learner, data, data, {.epochs = 1}, watcher<"val_los">{});
#else
  cue::fit(learner, data, data, {.epochs = 1}, watcher<"val_loss">{});
#endif
}
