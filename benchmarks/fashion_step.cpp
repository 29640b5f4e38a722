// A real Fashion-MNIST epoch (54,000 images, batch 32, validation on 6,000) trained through
// cue::fit with the example's callbacks, with them and the watching ones (tensorboard,
// training_curves, summary_report), and a hand-written loop doing the same math: where dispatch
// cost does not matter. Falls back to random images when the dataset is not installed.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include <cue/callbacks/summary_report.hpp>
#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/blas.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>

namespace {

cue::data::dataset slice(std::size_t n) {
  if (std::filesystem::exists(cue::data::fashion_mnist_dir / "train-images-idx3-ubyte.gz")) {
    cue::data::fashion_mnist all;
    return {xt::view(all.train.x, xt::range(0, n), xt::all()), xt::view(all.train.y, xt::range(0, n))};
  }
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({n, 784}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
  std::mt19937_64 rng(1);
  for (auto& v : d.x) v = static_cast<float>(rng() % 256) / 255.0f;
  for (auto& y : d.y) y = static_cast<std::int32_t>(rng() % 10);
  return d;
}

const auto& data() {
  static const auto parts = cue::data::split(slice(60000), 0.1);
  return parts;
}

auto make_model() {
  std::mt19937_64 rng(42);
  cue::nn::sequential net{cue::nn::dense(784, 128, rng), cue::nn::relu{}, cue::nn::dense(128, 10, rng)};
  return cue::nn::classifier(std::move(net), cue::nn::adam({.learning_rate = 1e-3}));
}

void with_callbacks(benchmark::State& state) {
  cue::nn::set_threads(1);
  const auto& [train, val] = data();
  auto model = make_model();
  cue::data::batches tb(train, {.batch_size = 32, .seed = 42});
  cue::data::batches vb(val, {.batch_size = 32, .shuffle = false});
  const auto dir = std::filesystem::temp_directory_path() / "cue-bench-fashion";
  std::ostringstream progress, csv;
  cue::early_stopping<"val_loss"> es({.patience = 3, .restore_best_weights = true});
  for (auto _ : state) {
    cue::fit(model, tb, vb, {.epochs = 1}, cue::stop_on_signal{}, cue::progbar_logger(progress), es,
             cue::model_checkpoint<"val_accuracy">({.filepath = (dir / "best.npz").string(),
                                                    .save_best_only = true, .save_weights_only = true}),
             cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 2}),
             cue::csv_logger(csv));
    progress.str("");
  }
  std::filesystem::remove_all(dir);
}

// The same with what a person watches a run with: TensorBoard (histograms every epoch), the
// curves and the summary, all writing files at every epoch end.
void watched(benchmark::State& state) {
  cue::nn::set_threads(1);
  const auto& [train, val] = data();
  auto model = make_model();
  cue::data::batches tb(train, {.batch_size = 32, .seed = 42});
  cue::data::batches vb(val, {.batch_size = 32, .shuffle = false});
  const auto dir = std::filesystem::temp_directory_path() / "cue-bench-fashion-watched";
  std::ostringstream progress, csv;
  cue::early_stopping<"val_loss"> es({.patience = 3, .restore_best_weights = true});
  cue::tensorboard board({.log_dir = (dir / "logs").string(), .histogram_freq = 1});
  cue::training_curves<"val_loss"> curves({.path = (dir / "curves.svg").string()});
  cue::summary_report summary({.directory = dir.string()});
  for (auto _ : state) {
    cue::fit(model, tb, vb, {.epochs = 1}, cue::stop_on_signal{}, cue::progbar_logger(progress), es,
             cue::model_checkpoint<"val_accuracy">({.filepath = (dir / "best.npz").string(),
                                                    .save_best_only = true, .save_weights_only = true}),
             cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 2}),
             cue::csv_logger(csv), board, curves, summary);
    progress.str("");
  }
  std::filesystem::remove_all(dir);
}

// The same epoch by hand: the steps, the running means, validation.
void hand_written(benchmark::State& state) {
  cue::nn::set_threads(1);
  const auto& [train, val] = data();
  auto model = make_model();
  cue::data::batches tb(train, {.batch_size = 32, .seed = 42});
  cue::data::batches vb(val, {.batch_size = 32, .shuffle = false});
  for (auto _ : state) {
    double loss = 0, acc = 0, n = 0;
    for (const auto& b : tb) {
      const auto l = model.train_step(b);
      const auto w = static_cast<double>(b.size());
      loss += cue::get<"loss">(l) * w, acc += cue::get<"accuracy">(l) * w, n += w;
    }
    double vloss = 0, vacc = 0, vn = 0;
    for (const auto& b : vb) {
      const auto l = model.test_step(b);
      const auto w = static_cast<double>(b.size());
      vloss += cue::get<"loss">(l) * w, vacc += cue::get<"accuracy">(l) * w, vn += w;
    }
    benchmark::DoNotOptimize(loss / n + acc / n + vloss / vn + vacc / vn);
  }
}

}  // namespace

BENCHMARK(with_callbacks)->Name("fashion_epoch/cue_fit_with_callbacks")->Unit(benchmark::kMillisecond);
BENCHMARK(watched)->Name("fashion_epoch/cue_fit_watched")->Unit(benchmark::kMillisecond);
BENCHMARK(hand_written)->Name("fashion_epoch/hand_written_loop")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
