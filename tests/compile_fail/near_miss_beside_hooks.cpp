// The Keras article's monitor with a misspelled hook beside valid ones: a near miss, not silence.
// expect: cue: a callback type has a member that is no hook but looks like one
// expect-named: has_no_look_alike_member<training_monitor, cue::detail::member::on_epoch_ends, cue::detail::hook::on_epoch_end>
// max-lines: 20
#include "common.hpp"

#include <cstdio>

struct training_monitor {
  void on_train_begin(auto&) { std::puts("training starts"); }
#ifdef CUE_MISTAKE
  void on_epoch_ends(auto& ctx) { std::printf("epoch %d\n", ctx.epoch() + 1); }
#else
  void on_epoch_end(auto& ctx) { std::printf("epoch %d\n", ctx.epoch() + 1); }
#endif
  void on_train_end(auto&) { std::puts("training ends"); }
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, training_monitor{});
}
