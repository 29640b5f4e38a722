// The same mistake inside an explicit cue::callbacks<...> group.
// expect: cue: a type was given as a callback but declares no hook
// expect-named: declares_a_hook<not_a_callback>
// max-lines: 20
#include "common.hpp"

struct not_a_callback {
#ifdef CUE_MISTAKE
  void on_epoch_finished(auto&) {}
#else
  void on_epoch_end(auto&) {}
#endif
};

int main() {
  cue::callbacks<not_a_callback> group;
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, group);
}
