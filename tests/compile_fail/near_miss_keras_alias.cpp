// Keras's legacy alias on_batch_end, which Keras users still write, in a non-template hook.
// expect: cue: the callback type 'Callback' has a member 'Member', which is no hook but looks like the hook 'Hook'
// expect-gnu: Member = cue::fixed_string<13>{"on_batch_end"}.*Hook = cue::fixed_string<19>{"on_train_batch_end"}
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
