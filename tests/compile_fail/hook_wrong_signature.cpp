// A hook with Keras's (epoch, logs) parameters cannot take the context.
// expect: cue: a hook of a callback type cannot be called as hook\(ctx\)
// expect: write it as `void on_<event>\(auto& ctx\)`
// expect-named: hook_takes_the_context<keras_style, cue::detail::hook::on_epoch_end>
// max-lines: 20
#include "common.hpp"

struct keras_style {
#ifdef CUE_MISTAKE
  void on_epoch_end(int, const cue::logs<"loss", "accuracy">&) {}
#else
  void on_epoch_end(auto&) {}
#endif
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, keras_style{});
}
