// The TensorFlow tutorial network on Fashion-MNIST (784 -> Dense 128 relu -> Dense 10, Adam 1e-3,
// batch 32, 10% of the training set for validation), with the callbacks a user would attach.
//
//   fashion_mnist [--epochs 10] [--batch-size 32] [--seed 42] [--data DIR] [--threads 1]
//                 [--limit N] [--out DIR] [--backup-dir DIR [--backup-every N]]
//
// --limit trains on the first N training images only (the tests use it to stay fast).
#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/blas.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>

namespace {

struct arguments {
  int epochs = 10;
  std::size_t batch_size = 32;
  std::uint64_t seed = 42;
  std::filesystem::path data = cue::data::fashion_mnist_dir;
  int threads = 1;
  std::size_t limit = 0;
  std::filesystem::path out = "fashion-mnist-run";
  std::filesystem::path backup_dir{};  // resume after a crash: the same command continues the run
  int backup_every = 0;                // back up every N batches rather than every epoch
};

arguments parse(int argc, char** argv) {
  arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + std::string(flag));
    const std::string value = argv[++i];
    if (flag == "--epochs") a.epochs = std::stoi(value);
    else if (flag == "--batch-size") a.batch_size = std::stoul(value);
    else if (flag == "--seed") a.seed = std::stoull(value);
    else if (flag == "--data") a.data = value;
    else if (flag == "--threads") a.threads = std::stoi(value);
    else if (flag == "--limit") a.limit = std::stoul(value);
    else if (flag == "--out") a.out = value;
    else if (flag == "--backup-dir") a.backup_dir = value;
    else if (flag == "--backup-every") a.backup_every = std::stoi(value);
    else throw std::invalid_argument("unknown option " + std::string(flag));
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) try {
  const arguments args = parse(argc, argv);
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
      {.filepath = (args.out / "best.weights.npz").string(), .save_best_only = true,
       .save_weights_only = true});
  cue::csv_logger csv_log({.filename = (args.out / "training.csv").string(), .append = true});
  auto callbacks = cue::callbacks{
      cue::stop_on_signal{},  // Ctrl-C or SIGTERM: finish the batch, save, stop cleanly
      cue::progbar_logger{}, early_stopping, best_checkpoint, reduce_lr, csv_log};
  // [callbacks]
  const auto start = std::chrono::steady_clock::now();
  std::fprintf(stderr, "fashion-mnist: training on %zu images\n", train.size());
  cue::history history;
  if (args.backup_dir.empty()) {
    history = cue::fit(model, train_batches, validation_batches, {.epochs = args.epochs}, callbacks);
  } else {
    const cue::save_frequency every = args.backup_every > 0 ? cue::save_frequency(args.backup_every) : cue::every_epoch;
    cue::backup_and_restore backup({.backup_dir = args.backup_dir.string(), .save_freq = every},
                                   early_stopping, best_checkpoint, reduce_lr, csv_log, train_batches);
    history = cue::fit(model, train_batches, validation_batches, {.epochs = args.epochs}, callbacks, backup);
    if (const auto& at = backup.resumed_from())
      std::fprintf(stderr, "fashion-mnist: resumed at epoch %d after %zu of its batches\n", at->epoch + 1, at->batch);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto test = cue::evaluate(model, test_batches);
  const auto epochs = history.epochs().size();
  std::printf("fashion-mnist: test_accuracy=%.4f epochs=%zu seconds_per_epoch=%.2f weights_digest=%s\n",
              cue::get<"accuracy">(test), epochs, seconds / static_cast<double>(epochs),
              model.weights_digest().c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "fashion-mnist: %s\n", e.what());
  return 1;
}
