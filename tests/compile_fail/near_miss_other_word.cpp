// Another word for end, beside a valid hook: generated from the hook table, not listed by hand.
// expect: cue: a callback type has a member that is no hook but looks like one
// expect-named: has_no_look_alike_member<epoch_printer, cue::detail::member::on_epoch_finish, cue::detail::hook::on_epoch_end>
// max-lines: 20
#include "common.hpp"

struct epoch_printer {
  void on_train_begin(auto&) {}
#ifdef CUE_MISTAKE
  void on_epoch_finish(auto&) {}
#else
  void on_epoch_end(auto&) {}
#endif
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, epoch_printer{});
}
