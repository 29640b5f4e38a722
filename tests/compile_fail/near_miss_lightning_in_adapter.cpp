// Lightning's on_train_epoch_end, in a callback wrapped by an adapter; its twin declares the
// member meant as it is.
// expect: cue: a callback type has a member that is no hook but looks like one
// expect-named: has_no_look_alike_member<lightning_habits, cue::detail::member::on_train_epoch_end, cue::detail::hook::on_epoch_end>
// max-lines: 20
#include "common.hpp"

struct lightning_habits {
#ifndef CUE_MISTAKE
  using not_hooks = cue::names<"on_train_epoch_end">;  // a helper of its own, not a hook
#endif
  void on_train_begin(auto&) {}
  void on_train_epoch_end() {}
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 2}, cue::every_n_epochs<2>(lightning_habits{}));
}
