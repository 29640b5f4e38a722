// A checkpoint filepath, given as a template argument, whose brace is not closed.
// expect: cue: the filepath 'Filepath' of model_checkpoint has an unbalanced brace
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/model_checkpoint.hpp>

int main() {
  file_learner learner;
#ifdef CUE_MISTAKE
  cue::model_checkpoint<"val_loss", "m-{epoch:02d.npz"> checkpoint;
#else
  cue::model_checkpoint<"val_loss", "m-{epoch:02d}.npz"> checkpoint;
#endif
  cue::fit(learner, data, data, {.epochs = 1}, checkpoint);
}
