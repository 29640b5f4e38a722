// The 2-rank training the MPI kill test interrupts: resume_child's classifier (early stopping,
// reduce-LR, a shuffled dataset) trained data-parallel, with stop_on_signal on every rank, backed
// up every epoch or every N batches. Each rank writes its pid to BACKUP_DIR.rank<R>.pid (for the
// test to signal one rank) and prints its final weights' digest.
// Usage: mpirun -np 2 mpi_resume_child [BACKUP_DIR [N]] (no BACKUP_DIR: no backup, the reference)
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/cue.hpp>
#include <cue/distributed/data_parallel.hpp>
#include <cue/mpi/communicator.hpp>
#include <cue/nn.hpp>

#include "../reliability/lifted_classes.hpp"

int main(int argc, char** argv) {
  cue::mpi::communicator world(&argc, &argv);
  cue::nn::set_threads(1);
  const std::string backup_dir = argc > 1 ? argv[1] : "";
  const cue::save_frequency freq = argc > 2 ? cue::save_frequency(std::stoi(argv[2])) : cue::every_epoch;
  const auto rank = static_cast<std::size_t>(world.rank()), ranks = static_cast<std::size_t>(world.size());
  if (!backup_dir.empty()) std::ofstream(backup_dir + ".rank" + std::to_string(rank) + ".pid") << ::getpid() << '\n';

  const auto d = cue_test::lifted_classes(16000, 64, 4, 0.08f);
  const auto [train, val] = cue::data::split(d, 0.25);
  std::mt19937_64 rng(rank == 0 ? 7 : 99);  // rank 1's weights come from rank 0
  cue::nn::sequential net{cue::nn::dense(64, 256, rng), cue::nn::relu{}, cue::nn::dense(256, 4, rng)};
  cue::nn::classifier model(std::move(net), cue::nn::adam({.learning_rate = 1e-3}));
  cue::data_parallel parallel(model, world);
  cue::data::batches train_batches(train, {.batch_size = 16, .seed = 11, .rank = rank, .ranks = ranks});
  cue::data::batches val_batches(val, {.batch_size = 64, .shuffle = false, .rank = rank, .ranks = ranks});
  cue::early_stopping<"val_loss"> early_stop({.patience = 4, .restore_best_weights = true});
  cue::reduce_lr_on_plateau<"val_loss"> reduce_lr({.factor = 0.5, .patience = 1});
  const cue::fit_options opts{.epochs = 20, .verbose = 0};  // its output is the digest
  if (backup_dir.empty()) {
    cue::fit(parallel, train_batches, val_batches, opts, early_stop, reduce_lr);
  } else {
    cue::backup_and_restore backup({.backup_dir = backup_dir, .save_freq = freq});
    const auto h = cue::fit(parallel, train_batches, val_batches, opts, early_stop, reduce_lr, cue::stop_on_signal(), backup);
    if (const auto& at = backup.resumed_from()) std::fprintf(stderr, "rank%zu resumed=%d:%zu\n", rank, at->epoch, at->batch);
    if (h.stop_reason() == cue::stop_reason::signal) {
      std::printf("rank%zu stopped by a signal\n", rank);
      return 0;
    }
  }
  std::printf("rank%zu digest=%s\n", rank, model.weights_digest().c_str());
}
