// Run under `mpirun -np 2`: rank 0 has 64 samples and rank 1 only 40 (a user's own split), so their
// numbers of batches differ. Every rank must stop with cue's error naming each rank's count,
// never OpenMPI's MPI_ERR_TRUNCATE, a hang, or a rank-local result. The argument picks where:
// `fit` (training batches), `validation` (fit's validation batches) or `evaluate` (standalone).
// With `display`, the data is even and the run shows its progress (what the display test reads).
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
  const std::string where = argc > 1 ? argv[1] : "fit";
  const bool even = where == "display";
  const std::size_t mine = world.rank() == 0 || even ? 64 : 40;
  cue::data::dataset d{xt::zeros<float>({mine, std::size_t{4}}), xt::zeros<std::int32_t>({mine})};
  cue::data::dataset same{xt::zeros<float>({std::size_t{32}, std::size_t{4}}), xt::zeros<std::int32_t>({std::size_t{32}})};
  std::mt19937_64 rng(1);
  cue::nn::classifier model(cue::nn::sequential{cue::nn::dense(4, 3, rng)}, cue::nn::sgd({.learning_rate = 0.1}));
  cue::data_parallel parallel(model, world);
  // Each rank's own data, in batches of 8 (no .rank/.ranks: the user split it).
  cue::data::batches own(d, {.batch_size = 8});
  cue::data::batches shared(same, {.batch_size = 8, .rank = static_cast<std::size_t>(world.rank()), .ranks = 2});
  try {
    if (where == "evaluate") {
      const auto logs = cue::evaluate(parallel, own);
      std::printf("not reached: rank %d evaluated loss %g\n", world.rank(), cue::get<"loss">(logs));
    } else if (where == "validation") {
      cue::fit(parallel, shared, own, {.epochs = 2, .verbose = 0});
    } else if (where == "display") {
      cue::fit(parallel, own, {.epochs = 3});
      return 0;
    } else {
      cue::fit(parallel, own, {.epochs = 2, .verbose = 0});
    }
  } catch (const std::exception& e) {
    std::printf("rank %d: %s\n", world.rank(), e.what());
    return 0;
  }
  std::printf("not reached: rank %d ended without an error\n", world.rank());
  return 1;
}
