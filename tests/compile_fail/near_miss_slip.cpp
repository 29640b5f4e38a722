// Two letters swapped in a hook's name, beside a valid hook, inside a group.
// expect: cue: a callback type has a member that is no hook but looks like one
// expect-named: has_no_look_alike_member<setup, cue::detail::member::on_trian_begin, cue::detail::hook::on_train_begin>
// max-lines: 20
#include "common.hpp"

struct setup {
#ifdef CUE_MISTAKE
  void on_trian_begin(auto&) {}
#else
  void on_train_begin(auto&) {}
#endif
  void on_epoch_end(auto&) {}
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, cue::callbacks{setup{}, cue::on_epoch_end([](auto&) {})});
}
