// A checkpoint filepath, given as a template argument, with a placeholder that names no log.
// expect: cue: a callback has a filepath placeholder naming something this loop does not produce
// expect-named-gnu: the_loop_(produces|fills)<.*cue::fixed_string<8>\{"val_los"\}
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/model_checkpoint.hpp>

int main() {
  file_learner learner;
#ifdef CUE_MISTAKE
  cue::model_checkpoint<"val_loss", "m-{epoch:02d}-{val_los:.2f}.npz"> checkpoint;
#else
  cue::model_checkpoint<"val_loss", "m-{epoch:02d}-{val_loss:.2f}.npz"> checkpoint;
#endif
  cue::fit(learner, data, data, {.epochs = 1}, checkpoint);
}
