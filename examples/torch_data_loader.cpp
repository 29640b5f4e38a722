// Fashion-MNIST with libtorch's own data pipeline: a torch::data::Dataset, make_data_loader with
// a RandomSampler, and the loader handed to cue::fit (cue::torch::from_loader). The flags and last
// line are fashion_mnist's; the order of the batches is libtorch's, so the numbers are not.
//
//   torch_data_loader [--epochs 10] [--batch-size 32] [--seed 42] [--data DIR] [--threads 1]
//                     [--limit N] [--out DIR] [--backup-dir DIR [--backup-every N]]   (--help)
#include <torch/torch.h>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/torch/data_loader.hpp>
#include <cue/torch/learner.hpp>

#include "fashion_mnist_args.hpp"
#include "torch_net.hpp"  // Net (784 -> Linear 128 -> ReLU -> Linear 10), weights_digest

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>

// [dataset]
// Images and labels as a libtorch dataset: one example per index.
class FashionMnist : public torch::data::datasets::Dataset<FashionMnist> {
 public:
  explicit FashionMnist(const cue::data::dataset& d)
      : images_(torch::from_blob(const_cast<float*>(d.x.data()), {static_cast<std::int64_t>(d.size()), 784}).clone()),
        labels_(torch::from_blob(const_cast<std::int32_t*>(d.y.data()), {static_cast<std::int64_t>(d.size())},
                                 torch::kInt).to(torch::kLong)) {}
  torch::data::Example<> get(std::size_t i) override {
    return {images_[static_cast<std::int64_t>(i)], labels_[static_cast<std::int64_t>(i)]};
  }
  torch::optional<std::size_t> size() const override { return static_cast<std::size_t>(images_.size(0)); }

 private:
  torch::Tensor images_, labels_;
};
// [dataset]

int main(int argc, char** argv) try {
  fashion_mnist_arguments args;
  if (const auto exit_code = parse_arguments(argc, argv, args, "Trains on Fashion-MNIST through a libtorch data loader"))
    return *exit_code;
  const std::filesystem::path out = args.out;
  torch::set_num_threads(static_cast<int>(args.threads));
  torch::manual_seed(static_cast<std::uint64_t>(args.seed));  // the weights, and the sampler's orders

  cue::data::fashion_mnist data(args.data);
  if (args.limit > 0 && args.limit < data.train.size()) data.train = data.train.first(args.limit);
  const auto [train, validation] = cue::data::split(data.train, 0.1);

  // [loader]
  const auto batch_size = torch::data::DataLoaderOptions(args.batch_size);
  auto train_loader = torch::data::make_data_loader(FashionMnist(train).map(torch::data::transforms::Stack<>()),
                                                    torch::data::samplers::RandomSampler(train.size()), batch_size);
  auto validation_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      FashionMnist(validation).map(torch::data::transforms::Stack<>()), batch_size);

  Net net;
  cue::torch::learner model(net, torch::optim::Adam(net->parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7)),
                            torch::nn::CrossEntropyLoss(), cue::torch::accuracy{});
  auto callbacks = cue::callbacks{
      cue::stop_on_signal{}, cue::progbar_logger{},
      cue::early_stopping<"val_loss">({.patience = 3, .restore_best_weights = true}),
      cue::model_checkpoint<"val_accuracy">(
          {.filepath = (out / "best.weights.pt").string(), .save_best_only = true, .save_weights_only = true}),
      cue::csv_logger({.filename = (out / "training.csv").string(), .append = true})};
  // [loader]

  const auto start = std::chrono::steady_clock::now();
  std::fprintf(stderr, "fashion-mnist: training on %zu images (libtorch data loader)\n", train.size());
  cue::history history;
  if (args.backup_dir.empty()) {
    history = cue::fit(model, cue::torch::from_loader(*train_loader), cue::torch::from_loader(*validation_loader),
                       {.epochs = args.epochs}, callbacks);
  } else {
    // The loader's order resumes too: backup_and_restore keeps the state of torch's generator.
    const cue::save_frequency every = args.backup_every > 0 ? cue::save_frequency(args.backup_every) : cue::every_epoch;
    cue::backup_and_restore backup({.backup_dir = args.backup_dir, .save_freq = every});
    history = cue::fit(model, cue::torch::from_loader(*train_loader), cue::torch::from_loader(*validation_loader),
                       {.epochs = args.epochs}, callbacks, backup);
    if (const auto& at = backup.resumed_from())
      std::fprintf(stderr, "fashion-mnist: resumed at epoch %d after %zu of its batches\n", at->epoch + 1, at->batch);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      FashionMnist(data.test).map(torch::data::transforms::Stack<>()), batch_size);
  const auto test = cue::evaluate(model, cue::torch::from_loader(*test_loader));
  const auto epochs = history.epochs().size();
  std::printf("fashion-mnist: test_accuracy=%.4f epochs=%zu seconds_per_epoch=%.3f weights_digest=%s\n",
              cue::get<"accuracy">(test), epochs, seconds / static_cast<double>(epochs), weights_digest(*net).c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "torch-data-loader: %s\n", e.what());
  return 1;
}
