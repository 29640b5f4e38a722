// Training data must be a range of batches.
// expect: cue: the data type 'Data' is not a range of batches
// expect-gnu: Data = (const )?double
// max-lines: 20
#include "common.hpp"

int main() {
  tiny_learner learner;
#ifdef CUE_MISTAKE
  cue::fit(learner, 1.0, {.epochs = 1});
#else
  cue::fit(learner, data, {.epochs = 1});
#endif
}
