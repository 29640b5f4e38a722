// A real Fashion-MNIST epoch (54,000 images, batch 32, validation on 6,000) trained through
// cue::fit with the example's callbacks, with them and the watching ones (tensorboard,
// training_curves, summary_report), with them and the ones that tell the world (remote_monitor,
// an alert, mirror_checkpoints) pointed at a server that accepts connections and never answers,
// and a hand-written loop doing the same math: where dispatch cost does not matter. Falls back to
// random images when the dataset is not installed.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include <cue/callbacks/summary_report.hpp>
#include <cue/cue.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/nn/blas.hpp>

#include "fashion_setup.hpp"

#ifdef CUE_BENCH_TELLING
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include <cue/callbacks/alert.hpp>
#include <cue/callbacks/mirror_checkpoints.hpp>
#include <cue/callbacks/remote_monitor.hpp>
#include <cue/sinks/chat.hpp>
#endif

namespace {

cue::data::dataset slice(std::size_t n) {
  if (std::filesystem::exists(cue::data::fashion_mnist_dir / "train-images-idx3-ubyte.gz")) {
    cue::data::fashion_mnist all;
    return {xt::view(all.train.x, xt::range(0, n), xt::all()), xt::view(all.train.y, xt::range(0, n))};
  }
  return cue_bench::random_fashion_images(n);
}

const auto& data() {
  static const auto parts = cue::data::split(slice(60000), 0.1);
  return parts;
}

void with_callbacks(benchmark::State& state) {
  cue::nn::set_threads(1);
  const auto& [train, val] = data();
  auto model = cue_bench::fashion_network();
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
  auto model = cue_bench::fashion_network();
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

#ifdef CUE_BENCH_TELLING
// A server on 127.0.0.1 that accepts every connection and never answers (nor closes).
class silent_server {
 public:
  silent_server() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener_, 64);
    socklen_t n = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &n);
    url_ = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    std::thread([fd = listener_] {
      std::vector<int> held;
      for (int c; (c = ::accept(fd, nullptr, nullptr)) >= 0;) held.push_back(c);
    }).detach();  // lives as long as the benchmark
  }
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  int listener_ = -1;
  std::string url_;
};

// The 6 and those that tell the world, all pointed at the silent server: remote_monitor posts
// every epoch, the alert fires (val_loss above 0) at the first and its worker then waits on the
// server, the mirror uploads the checkpoint every epoch saves with curl. Their end-of-run drains (bounded by drain_timeout) are set to 0 here, so
// that what is timed is the epoch, as in a long run.
void telling_a_silent_server(benchmark::State& state) {
  cue::nn::set_threads(1);
  static const silent_server server;
  const auto& [train, val] = data();
  auto model = cue_bench::fashion_network();
  cue::data::batches tb(train, {.batch_size = 32, .seed = 42});
  cue::data::batches vb(val, {.batch_size = 32, .shuffle = false});
  const auto dir = std::filesystem::temp_directory_path() / "cue-bench-fashion-telling";
  std::ostringstream progress, csv, warnings;
  cue::early_stopping<"val_loss"> es({.patience = 3, .restore_best_weights = true});
  cue::remote_monitor monitor({.root = server.url(), .drain_timeout = std::chrono::seconds(0), .log = &warnings});
  cue::alert alert({.sinks = {cue::sinks::webhook{server.url() + "/alert"}},
                    .min_interval = std::chrono::seconds(0),
                    .drain_timeout = std::chrono::seconds(0),
                    .log = &warnings},
                   cue::rules::above<"val_loss">{0.0});
  cue::mirror_checkpoints mirror({.destination = server.url() + "/checkpoints",
                                  .command = {"curl", "-s", "--max-time", "5", "-T", "{path}", "{uri}"},
                                  .retries = 0,
                                  .drain_timeout = std::chrono::seconds(0),
                                  .log = &warnings});
  for (auto _ : state) {
    cue::fit(model, tb, vb, {.epochs = 1}, cue::stop_on_signal{}, cue::progbar_logger(progress), es,
             cue::model_checkpoint<"val_accuracy">({.filepath = (dir / "best.npz").string(),
                                                    .save_best_only = true, .save_weights_only = true}),
             cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 2}),
             cue::csv_logger(csv), monitor, alert, mirror);
    progress.str("");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(telling_a_silent_server)->Name("fashion_epoch/cue_fit_telling_a_silent_server")->Unit(benchmark::kMillisecond);
#endif

// The same epoch by hand: the steps, the running means, validation.
void hand_written(benchmark::State& state) {
  cue::nn::set_threads(1);
  const auto& [train, val] = data();
  auto model = cue_bench::fashion_network();
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
