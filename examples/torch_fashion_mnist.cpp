// fashion_mnist with libtorch: the same network (784 -> Linear 128 -> ReLU -> Linear 10), Adam
// 1e-3, batches, split, callbacks, flags and last line, the model defined as libtorch users define
// theirs and trained by cue::fit through cue::torch::learner.
//
//   torch_fashion_mnist [--epochs 10] [--batch-size 32] [--seed 42] [--data DIR] [--threads 1]
//                       [--limit N] [--out DIR] [--backup-dir DIR [--backup-every N]]   (--help)
#include <torch/torch.h>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/torch/learner.hpp>

#include "fashion_mnist_args.hpp"
#include "torch_net.hpp"  // Net (784 -> Linear 128 -> ReLU -> Linear 10), to_torch, weights_digest

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>


// The shuffled batches fashion_mnist trains on (cue::data::batches), as tensors. Its state (the
// passes dealt) is the source's, so backup_and_restore resumes the same order.
class tensor_batches {
 public:
  explicit tensor_batches(cue::data::batches& source) : source_(&source) {}

  class iterator {
   public:
    using value_type = cue::torch::batch;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(cue::data::batches::iterator at) : at_(std::move(at)) {}
    cue::torch::batch operator*() const { return to_torch(*at_); }
    iterator& operator++() { return ++at_, *this; }
    void operator++(int) { ++at_; }
    bool operator==(const iterator& o) const { return at_ == o.at_; }

   private:
    cue::data::batches::iterator at_;
  };

  iterator begin() const { return iterator(source_->begin()); }
  iterator end() const { return iterator(source_->end()); }
  [[nodiscard]] std::size_t size() const { return source_->size(); }
  [[nodiscard]] auto state_dict() const { return source_->state_dict(); }
  void load_state_dict(const cue::state_dict& d) { source_->load_state_dict(d); }
  [[nodiscard]] auto state_key() const { return source_->state_key(); }

 private:
  cue::data::batches* source_;
};

int main(int argc, char** argv) try {
  fashion_mnist_arguments args;
  if (const auto exit_code =
          parse_arguments(argc, argv, args, "Trains the TensorFlow tutorial network on Fashion-MNIST with libtorch and cue"))
    return *exit_code;
  const std::filesystem::path out = args.out;
  torch::set_num_threads(static_cast<int>(args.threads));

  cue::data::fashion_mnist data(args.data);
  if (args.limit > 0 && args.limit < data.train.size()) data.train = data.train.first(args.limit);
  const auto [train, validation] = cue::data::split(data.train, 0.1);
  cue::data::batches train_source(train, {.batch_size = args.batch_size, .seed = args.seed});
  cue::data::batches validation_source(validation, {.batch_size = args.batch_size, .shuffle = false});
  cue::data::batches test_source(data.test, {.batch_size = args.batch_size, .shuffle = false});
  tensor_batches train_batches(train_source), validation_batches(validation_source), test_batches(test_source);

  // [learner]
  torch::manual_seed(static_cast<std::uint64_t>(args.seed));
  Net net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));  // Keras's epsilon
  cue::torch::learner model(net, std::move(adam), torch::nn::CrossEntropyLoss(), cue::torch::accuracy{});
  // [learner]

  cue::early_stopping<"val_loss"> early_stopping({.patience = 3, .restore_best_weights = true});
  cue::reduce_lr_on_plateau<"val_loss"> reduce_lr({.factor = 0.5, .patience = 2});
  cue::model_checkpoint<"val_accuracy"> best_checkpoint(
      {.filepath = (out / "best.weights.pt").string(), .save_best_only = true, .save_weights_only = true});
  cue::csv_logger csv_log({.filename = (out / "training.csv").string(), .append = true});
  cue::tensorboard tensorboard({.log_dir = (out / "logs").string(), .histogram_freq = 1,
                                .hparams = {{"learning_rate", 1e-3}, {"batch_size", double(args.batch_size)}}});
  auto callbacks = cue::callbacks{
      cue::stop_on_signal{}, cue::progbar_logger{}, early_stopping, best_checkpoint, reduce_lr, csv_log, tensorboard,
      cue::training_curves<"val_loss">({.path = (out / "curves.svg").string(), .title = "Fashion-MNIST (libtorch)"}),
      cue::summary_report({.directory = out.string()})};

  const auto start = std::chrono::steady_clock::now();
  std::fprintf(stderr, "fashion-mnist: training on %zu images (libtorch)\n", train.size());
  cue::history history;
  if (args.backup_dir.empty()) {
    history = cue::fit(model, train_batches, validation_batches, {.epochs = args.epochs}, callbacks);
  } else {
    const cue::save_frequency every = args.backup_every > 0 ? cue::save_frequency(args.backup_every) : cue::every_epoch;
    cue::backup_and_restore backup({.backup_dir = args.backup_dir, .save_freq = every});
    history = cue::fit(model, train_batches, validation_batches, {.epochs = args.epochs}, callbacks, backup);
    if (const auto& at = backup.resumed_from())
      std::fprintf(stderr, "fashion-mnist: resumed at epoch %d after %zu of its batches\n", at->epoch + 1, at->batch);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto test = cue::evaluate(model, test_batches);
  const auto epochs = history.epochs().size();
  std::printf("fashion-mnist: test_accuracy=%.4f epochs=%zu seconds_per_epoch=%.3f weights_digest=%s\n",
              cue::get<"accuracy">(test), epochs, seconds / static_cast<double>(epochs), weights_digest(*net).c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "torch-fashion-mnist: %s\n", e.what());
  return 1;
}
