// Keras's legacy alias on_batch_end, which Keras users still write, in a non-template hook.
// expect: cue: a callback type has a member that is no hook but looks like one
// expect-named: has_no_look_alike_member<batch_counter, cue::detail::member::on_batch_end, cue::detail::hook::on_train_batch_end>
// max-lines: 20
#include "common.hpp"

using ctx_t = cue::context<tiny_learner, cue::logs<"loss", "accuracy">>;

struct batch_counter {
  int batches = 0;
  void on_epoch_begin(auto&) {}
#ifdef CUE_MISTAKE
  void on_batch_end(ctx_t&) { ++batches; }
#else
  void on_train_batch_end(ctx_t&) { ++batches; }
#endif
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, batch_counter{});
}
