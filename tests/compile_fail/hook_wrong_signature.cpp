// A hook with Keras's (epoch, logs) parameters cannot take the context.
// expect: cue: the member 'Hook' of the callback type 'Callback' cannot be called as Hook\(ctx\)
// expect: write it as `void Hook\(auto& ctx\)`
// expect-gnu: Hook = cue::fixed_string<13>{"on_epoch_end"}, Callback = keras_style
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
