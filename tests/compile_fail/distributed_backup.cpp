// backup_and_restore in a distributed fit, which it does not support yet.
// expect: cue: the callback type 'Callback' does not support a distributed fit yet
// max-lines: 25
#include "common_distributed.hpp"

int main() {
  split_learner learner;
  cue::single_process one;
  cue::data_parallel parallel(learner, one);
#ifdef CUE_MISTAKE
  cue::backup_and_restore backup({.backup_dir = "backup"});
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, backup);
#else
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0});
#endif
}
