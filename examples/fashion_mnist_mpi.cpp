// fashion_mnist on several processes: the same network, optimizer, split, callbacks, flags and
// last line, trained data-parallel over MPI. Every rank takes its part of each global batch of
// --batch-size; the callbacks that write act on rank 0.
//
//   mpirun -np 2 fashion_mnist_mpi [--epochs 10] [--batch-size 32] [--seed 42] [--data DIR]
//                                  [--threads 1] [--limit N] [--out DIR]
//                                  [--backup-dir DIR [--backup-every N]]   (--help)
#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/distributed/data_parallel.hpp>
#include <cue/distributed/on_rank_zero.hpp>
#include <cue/mpi/communicator.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/blas.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>

#include "fashion_mnist_args.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
#include <string>

int main(int argc, char** argv) {
  cue::mpi::communicator world(&argc, &argv);
  try {
    fashion_mnist_arguments args;
    if (const auto exit_code =
            parse_arguments(argc, argv, args, "Trains the TensorFlow tutorial network on Fashion-MNIST with cue, over MPI"))
      return *exit_code;
    const std::filesystem::path out = args.out;
    cue::nn::set_threads(args.threads);
    const auto rank = static_cast<std::size_t>(world.rank()), ranks = static_cast<std::size_t>(world.size());

    cue::data::fashion_mnist data(args.data);
    if (args.limit > 0 && args.limit < data.train.size())
      data.train = data.train.first(args.limit);
    const auto [train, validation] = cue::data::split(data.train, 0.1);

    std::mt19937_64 rng(args.seed);
    cue::nn::sequential net{cue::nn::dense(784, 128, rng), cue::nn::relu{}, cue::nn::dense(128, 10, rng)};
    cue::nn::classifier model(std::move(net), cue::nn::adam({.learning_rate = 1e-3}));
    cue::data_parallel parallel(model, world);

    // [data]
    // --batch-size is the global batch: this rank trains on its part of each.
    cue::data::batches train_batches(train, {.batch_size = args.batch_size, .seed = args.seed, .rank = rank, .ranks = ranks});
    cue::data::batches validation_batches(validation, {.batch_size = args.batch_size, .shuffle = false, .rank = rank, .ranks = ranks});
    cue::data::batches test_batches(data.test, {.batch_size = args.batch_size, .shuffle = false, .rank = rank, .ranks = ranks});
    // [data]

    // [callbacks]
    cue::early_stopping<"val_loss"> early_stopping({.patience = 3, .restore_best_weights = true});
    cue::reduce_lr_on_plateau<"val_loss"> reduce_lr({.factor = 0.5, .patience = 2});
    cue::model_checkpoint<"val_accuracy"> best_checkpoint(
        {.filepath = (out / "best.weights.npz").string(), .save_best_only = true, .save_weights_only = true});
    cue::csv_logger csv_log({.filename = (out / "training.csv").string(), .append = true});
    cue::tensorboard tensorboard({.log_dir = (out / "logs").string(), .histogram_freq = 1,
                                  .hparams = {{"learning_rate", 1e-3}, {"batch_size", double(args.batch_size)}}});
    // Decisions on every rank (their epoch logs are the same everywhere); files on rank 0.
    auto callbacks = cue::callbacks{
        cue::stop_on_signal{}, early_stopping, reduce_lr,
        cue::on_rank_zero(cue::progbar_logger{}), cue::on_rank_zero(best_checkpoint), cue::on_rank_zero(csv_log),
        cue::on_rank_zero(tensorboard),
        cue::on_rank_zero(cue::training_curves<"val_loss">({.path = (out / "curves.svg").string(), .title = "Fashion-MNIST"})),
        cue::on_rank_zero(cue::summary_report({.directory = out.string()}))};
    // [callbacks]
    const auto start = std::chrono::steady_clock::now();
    if (rank == 0) std::fprintf(stderr, "fashion-mnist-mpi: training on %zu images, %zu ranks\n", train.size(), ranks);
    cue::history history;
    if (args.backup_dir.empty()) {
      history = cue::fit(parallel, train_batches, validation_batches, {.epochs = args.epochs}, callbacks);
    } else {
      const cue::save_frequency every = args.backup_every > 0 ? cue::save_frequency(args.backup_every) : cue::every_epoch;
      // On every rank: rank 0 writes the backups, and every rank resumes from them.
      cue::backup_and_restore backup({.backup_dir = args.backup_dir, .save_freq = every});
      history = cue::fit(parallel, train_batches, validation_batches, {.epochs = args.epochs}, callbacks, backup);
      if (const auto& at = backup.resumed_from(); at && rank == 0)
        std::fprintf(stderr, "fashion-mnist-mpi: resumed at epoch %d after %zu of its batches\n", at->epoch + 1, at->batch);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const auto test = cue::evaluate(parallel, test_batches);  // the whole test set's accuracy
    const auto epochs = history.epochs().size();
    if (rank == 0)
      std::printf("fashion-mnist: test_accuracy=%.4f epochs=%zu seconds_per_epoch=%.3f weights_digest=%s\n",
                  cue::get<"accuracy">(test), epochs, seconds / static_cast<double>(epochs),
                  model.weights_digest().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion-mnist-mpi (rank %d): %s\n", world.rank(), e.what());
    return 1;
  }
}
