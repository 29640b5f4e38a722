// A misspelled hook leaves a type with no hook at all: it is not a callback.
// expect: cue: a type was given as a callback but declares no hook
// expect-named: declares_a_hook<misspelled_printer>
// max-lines: 20
#include "common.hpp"

struct misspelled_printer {
#ifdef CUE_MISTAKE
  void on_epoch_ends(auto&) {}
#else
  void on_epoch_end(auto&) {}
#endif
};

int main() {
  tiny_learner learner;
  cue::fit(learner, data, {.epochs = 1}, misspelled_printer{});
}
