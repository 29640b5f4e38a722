// Run under `mpirun -np 2`: an exception on rank 1 only ends the whole job at once, saying why,
// instead of leaving rank 0 waiting for it forever. The program catches it, as the examples do, so
// that without the abort rank 1 would reach MPI_Finalize and both ranks would hang. The test
// expects the message, and its timeout catches a hang. With the argument `evaluate`, the exception
// comes from cue::evaluate instead of fit.
#include <cue/mpi/communicator.hpp>

#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>

#include <cue/cue.hpp>
#include <cue/distributed/data_parallel.hpp>
#include <cue/nn.hpp>

int main(int argc, char** argv) {
  cue::mpi::communicator world(&argc, &argv);
  cue::data::dataset d{xt::zeros<float>({64, 4}), xt::zeros<std::int32_t>({64})};
  std::mt19937_64 rng(1);
  cue::nn::classifier model(cue::nn::sequential{cue::nn::dense(4, 3, rng)}, cue::nn::sgd({.learning_rate = 0.1}));
  cue::data_parallel parallel(model, world);
  cue::data::batches part(d, {.batch_size = 8, .rank = static_cast<std::size_t>(world.rank()), .ranks = 2});
  cue::lambda_callback fail_on_rank_1{cue::on_train_batch_end([&](auto& ctx) {
    if (world.rank() == 1 && ctx.epoch() == 1 && ctx.batch() == 3) throw std::runtime_error("the disk is full");
  })};
  cue::lambda_callback fail_evaluating_on_rank_1{cue::on_test_batch_end([&](auto& ctx) {
    if (world.rank() == 1 && ctx.batch() == 2) throw std::runtime_error("the test set is unreadable");
  })};
  try {
    if (argc > 1 && std::string(argv[1]) == "evaluate")
      cue::evaluate(parallel, part, fail_evaluating_on_rank_1);
    else
      cue::fit(parallel, part, {.epochs = 3, .verbose = 0}, fail_on_rank_1);
  } catch (const std::exception& e) {
    std::printf("not reached: rank %d caught '%s'; the job should have ended\n", world.rank(), e.what());
    return 1;
  }
  std::printf("not reached: the job should have ended\n");
  return 0;
}
