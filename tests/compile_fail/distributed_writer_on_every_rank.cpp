// A callback that writes a file, in a distributed fit, not wrapped to act on rank 0 only.
// expect: cue: a callback writes files or the terminal, and in a distributed fit every rank would write them
// expect-gnu: Callback = cue::csv_logger
// max-lines: 25
#include "common_distributed.hpp"

#include <sstream>

#include <cue/distributed/on_rank_zero.hpp>

int main() {
  split_learner learner;
  cue::single_process one;
  cue::data_parallel parallel(learner, one);
  std::ostringstream out;
  cue::csv_logger csv(out);
#ifdef CUE_MISTAKE
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, csv);
#else
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, cue::on_rank_zero(csv));
#endif
}
