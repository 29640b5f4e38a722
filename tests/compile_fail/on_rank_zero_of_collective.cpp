// A callback that takes part in collectives, run on rank 0 only: it would wait forever.
// expect: cue: on_rank_zero would run a callback that takes part in collectives on rank 0 only
// max-lines: 25
#include "common_distributed.hpp"

#include <cue/distributed/on_rank_zero.hpp>

struct agrees_with_the_others {
  using uses_collectives = void;
  void on_epoch_end(auto& ctx) { (void)ctx.learner().communicator().all(true); }
};

int main() {
  split_learner learner;
  cue::single_process one;
  cue::data_parallel parallel(learner, one);
  agrees_with_the_others cb;
#ifdef CUE_MISTAKE
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, cue::on_rank_zero(cb));
#else
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, cb);
#endif
}
