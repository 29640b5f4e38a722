// The TensorFlow tutorial network on Fashion-MNIST (784 -> Dense 128 relu -> Dense 10, Adam 1e-3,
// batch 32, 10% of the training set for validation), with the callbacks a user would attach.
//
//   fashion_mnist [--epochs 10] [--batch-size 32] [--seed 42] [--data DIR] [--threads 1]
//                 [--limit N] [--out DIR] [--backup-dir DIR [--backup-every N]]   (--help)
//
// --limit trains on the first N training images only (the tests use it to stay fast).
#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/blas.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>

#include "fashion_mnist_args.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <random>
#include <string>


int main(int argc, char** argv) try {
  fashion_mnist_arguments args;
  if (const auto exit_code = parse_arguments(argc, argv, args, "Trains the TensorFlow tutorial network on Fashion-MNIST with cue"))
    return *exit_code;
  const std::filesystem::path out = args.out;
  cue::nn::set_threads(args.threads);

  cue::data::fashion_mnist data(args.data);
  if (args.limit > 0 && args.limit < data.train.size())
    data.train = data.train.first(args.limit);
  const auto [train, validation] = cue::data::split(data.train, 0.1);

  std::mt19937_64 rng(args.seed);
  cue::nn::sequential net{cue::nn::dense(784, 128, rng), cue::nn::relu{}, cue::nn::dense(128, 10, rng)};
  cue::nn::classifier model(std::move(net), cue::nn::adam({.learning_rate = 1e-3}));

  cue::data::batches train_batches(train, {.batch_size = args.batch_size, .seed = args.seed});
  cue::data::batches validation_batches(validation, {.batch_size = args.batch_size, .shuffle = false});
  cue::data::batches test_batches(data.test, {.batch_size = args.batch_size, .shuffle = false});

  // [callbacks]
  cue::early_stopping<"val_loss"> early_stopping({.patience = 3, .restore_best_weights = true});
  cue::reduce_lr_on_plateau<"val_loss"> reduce_lr({.factor = 0.5, .patience = 2});
  cue::model_checkpoint<"val_accuracy"> best_checkpoint(
      {.filepath = (out / "best.weights.npz").string(), .save_best_only = true,
       .save_weights_only = true});
  cue::csv_logger csv_log({.filename = (out / "training.csv").string(), .append = true});
  cue::tensorboard tensorboard({.log_dir = (out / "logs").string(), .histogram_freq = 1,
                                .hparams = {{"learning_rate", 1e-3}, {"batch_size", double(args.batch_size)}}});
  auto callbacks = cue::callbacks{
      cue::stop_on_signal{},  // Ctrl-C or SIGTERM: finish the batch, save, stop cleanly
      cue::progbar_logger{}, early_stopping, best_checkpoint, reduce_lr, csv_log, tensorboard,
      cue::training_curves<"val_loss">({.path = (out / "curves.svg").string(), .title = "Fashion-MNIST"}),
      cue::summary_report({.directory = out.string()})};
  // [callbacks]
  const auto start = std::chrono::steady_clock::now();
  std::fprintf(stderr, "fashion-mnist: training on %zu images\n", train.size());
  cue::history history;
  if (args.backup_dir.empty()) {
    history = cue::fit(model, train_batches, validation_batches, {.epochs = args.epochs}, callbacks);
  } else {
    const cue::save_frequency every = args.backup_every > 0 ? cue::save_frequency(args.backup_every) : cue::every_epoch;
    // It saves every stateful callback of the fit and the data's shuffle without being told.
    cue::backup_and_restore backup({.backup_dir = args.backup_dir, .save_freq = every});
    history = cue::fit(model, train_batches, validation_batches, {.epochs = args.epochs}, callbacks, backup);
    if (const auto& at = backup.resumed_from())
      std::fprintf(stderr, "fashion-mnist: resumed at epoch %d after %zu of its batches\n", at->epoch + 1, at->batch);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto test = cue::evaluate(model, test_batches);
  const auto epochs = history.epochs().size();
  std::printf("fashion-mnist: test_accuracy=%.4f epochs=%zu seconds_per_epoch=%.3f weights_digest=%s\n",
              cue::get<"accuracy">(test), epochs, seconds / static_cast<double>(epochs),
              model.weights_digest().c_str());
  std::fprintf(stderr,
               "fashion-mnist: curves in %s, summary in %s; TensorBoard: tensorboard --logdir %s\n",
               (out / "curves.svg").c_str(), (out / "summary.md").c_str(), (out / "logs").c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "fashion-mnist: %s\n", e.what());
  return 1;
}
