// A Fashion-MNIST epoch with libtorch (the example's network, Adam, batch 32, validation on
// 6,000): cue::fit through cue::torch::learner with the example's callbacks, against the loop a
// libtorch user writes by hand for the same training. Both iterate the same batches, gathered
// once, so the difference is fit and its callbacks. Falls back to random images when the dataset
// is not installed.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <filesystem>
#include <sstream>
#include <vector>

#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/torch/learner.hpp>

#include "../examples/torch_net.hpp"
#include "fashion_setup.hpp"
#include "torch_by_hand.hpp"

namespace {

struct data_sets {
  std::vector<cue::torch::batch> train, validation;
};

// The example's split, shuffled once with cue's order (epoch 0 of seed 42), in batches of 32.
const data_sets& data() {
  static const data_sets sets = [] {
    const cue::data::dataset all =
        std::filesystem::exists(cue::data::fashion_mnist_dir / "train-images-idx3-ubyte.gz")
            ? cue::data::fashion_mnist{}.train
            : cue_bench::random_fashion_images(60000);
    const auto [train, validation] = cue::data::split(all, 0.1);
    const auto as_tensors = [](const cue::data::dataset& d, bool shuffle) {
      std::vector<cue::torch::batch> out;
      for (const auto& b : cue::data::batches(d, {.batch_size = 32, .shuffle = shuffle, .seed = 42}))
        out.push_back(to_torch(b));
      return out;
    };
    return data_sets{as_tensors(train, true), as_tensors(validation, false)};
  }();
  return sets;
}


void with_callbacks(benchmark::State& state) {
  torch::set_num_threads(1);
  const auto& [train, validation] = data();
  torch::manual_seed(42);
  Net net;
  cue::torch::learner model(net, torch::optim::Adam(net->parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7)),
                            torch::nn::CrossEntropyLoss(), cue::torch::accuracy{});
  const auto dir = std::filesystem::temp_directory_path() / "cue-bench-torch";
  std::ostringstream progress, csv;
  cue::early_stopping<"val_loss"> es({.patience = 3, .restore_best_weights = true});
  for (auto _ : state) {
    cue::fit(model, train, validation, {.epochs = 1}, cue::stop_on_signal{}, cue::progbar_logger(progress), es,
             cue::model_checkpoint<"val_accuracy">({.filepath = (dir / "best.pt").string(), .save_best_only = true,
                                                    .save_weights_only = true}),
             cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 2}), cue::csv_logger(csv));
    progress.str("");
  }
  std::filesystem::remove_all(dir);
}

void hand_written(benchmark::State& state) {
  torch::set_num_threads(1);
  const auto& [train, validation] = data();
  torch::manual_seed(42);
  Net net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
  torch::nn::CrossEntropyLoss loss_fn;
  for (auto _ : state) benchmark::DoNotOptimize(hand_written_epoch(net, adam, loss_fn, train, validation));
}

}  // namespace

BENCHMARK(with_callbacks)->Name("torch_epoch/cue_fit_with_callbacks")->Unit(benchmark::kMillisecond);
BENCHMARK(hand_written)->Name("torch_epoch/hand_written_loop")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
