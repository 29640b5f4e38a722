// A hook with Keras's (epoch, logs) parameters cannot take the context.
// expect: cue: the member on_epoch_end of the callback type 'Callback' cannot be called
// expect: write it as `void on_epoch_end\(auto& ctx\)`
// expect-gnu: Callback = keras_style
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
