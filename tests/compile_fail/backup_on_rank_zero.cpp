// backup_and_restore wrapped to run on rank 0 only: the other ranks would not resume, and rank 0
// would wait for them in the broadcast of its backup.
// expect: cue: on_rank_zero would run a callback that takes part in collectives on rank 0 only
// max-lines: 25
#include "common_distributed.hpp"

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/distributed/on_rank_zero.hpp>

int main() {
  split_learner learner;
  cue::single_process one;
  cue::data_parallel parallel(learner, one);
  cue::backup_and_restore backup({.backup_dir = "backup"});
#ifdef CUE_MISTAKE
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, cue::on_rank_zero(backup));
#else
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, backup);
#endif
}
