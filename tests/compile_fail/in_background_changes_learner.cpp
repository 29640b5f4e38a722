// A callback that changes the learner, wrapped in in_background: on a copy its change is lost.
// expect: cue: in_background hands the callback type 'C' a copy of the learner, and it changes the learner
// expect-gnu: C = cue::reduce_lr_on_plateau<
// max-lines: 20
#include "common.hpp"

#include <cue/adapters/in_background.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>

int main() {
#ifdef CUE_MISTAKE
  cue::in_background slow(cue::reduce_lr_on_plateau<"val_loss">{});
#else
  cue::in_background slow(cue::model_checkpoint<"val_loss">({.filepath = "m.npz"}));  // only reads it
#endif
  (void)slow;
}
