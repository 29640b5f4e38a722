// Data-parallel training with a learner that has only a fused train_step.
// expect: cue: data_parallel needs the learner's split step
// max-lines: 25
#include "common_distributed.hpp"

#ifdef CUE_MISTAKE
using learner = tiny_learner;
#else
using learner = split_learner;
#endif

int main() {
  learner l;
  cue::single_process one;
  cue::data_parallel parallel(l, one);
  (void)parallel;
}
