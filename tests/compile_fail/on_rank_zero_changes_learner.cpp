// A callback that changes the learner, run on rank 0 only: the ranks would silently diverge (rank 0
// at one learning rate, rank 1 at another).
// expect: cue: on_rank_zero would run a callback that changes the learner
// max-lines: 25
#include "common_distributed.hpp"

#include <cue/callbacks/learning_rate_scheduler.hpp>
#include <cue/distributed/on_rank_zero.hpp>

struct rate_learner : split_learner {
  double rate = 1e-2;
  [[nodiscard]] double learning_rate() const { return rate; }
  void set_learning_rate(double r) { rate = r; }
};

int main() {
  rate_learner learner;
  cue::single_process one;
  cue::data_parallel parallel(learner, one);
  cue::learning_rate_scheduler schedule([](int, double) { return 1e-4; });
#ifdef CUE_MISTAKE
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, cue::on_rank_zero(schedule));
#else
  cue::fit(parallel, data, {.epochs = 1, .verbose = 0}, schedule);
#endif
}
