// The Fashion-MNIST training step (batch 32, 784-128-10, Adam, one BLAS thread) against the same
// step's five matrix products alone, side by side in one run: the step's elementwise work is the
// difference. Also its parts: gathering a batch, the Adam update. Falls back to random images
// when the dataset is not installed.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <vector>

#include <cue/data/dataset.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/nn/blas.hpp>

#include "fashion_setup.hpp"

namespace {

constexpr std::size_t batch = 32, inputs = 784, hidden = 128, classes = 10;

const cue::data::dataset& train() {
  static const cue::data::dataset d = [] {
    if (std::filesystem::exists(cue::data::fashion_mnist_dir / "train-images-idx3-ubyte.gz"))
      return cue::data::fashion_mnist{}.train.first(54000);
    return cue_bench::random_fashion_images(54000);
  }();
  return d;
}

// The first 200 batches of an epoch, gathered once.
const std::vector<cue::data::batch>& some_batches() {
  static const auto out = [] {
    std::vector<cue::data::batch> b;
    cue::data::batches all(train(), {.batch_size = batch, .seed = 42});
    for (auto it = all.begin(); b.size() < 200; ++it) b.push_back(*it);
    return b;
  }();
  return out;
}

void train_step(benchmark::State& state) {
  cue::nn::set_threads(1);
  auto model = cue_bench::fashion_network();
  const auto& bs = some_batches();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(model.train_step(bs[i++ % bs.size()]));
  state.SetLabel(std::string("adam: ") + std::string(cue::nn::adam::simd_variant()));

}

// What the step's matrix products compute, on buffers of the same shapes: x W1 and h W2 forward;
// dW2 = h^T dy, dh = dy W2^T and dW1 = x^T dh back.
void gemms_alone(benchmark::State& state) {
  cue::nn::set_threads(1);
  std::vector<float> w1(inputs * hidden, 0.01f), w2(hidden * classes, 0.01f), h(batch * hidden),
      y(batch * classes), dy(batch * classes, 0.01f), dh(batch * hidden), dw1(inputs * hidden), dw2(hidden * classes);
  const auto& bs = some_batches();
  std::size_t i = 0;
  for (auto _ : state) {
    const float* x = bs[i++ % bs.size()].x.data();
    cue::nn::gemm(false, false, batch, hidden, inputs, x, w1.data(), h.data());
    cue::nn::gemm(false, false, batch, classes, hidden, h.data(), w2.data(), y.data());
    cue::nn::gemm(true, false, hidden, classes, batch, h.data(), dy.data(), dw2.data());
    cue::nn::gemm(false, true, batch, hidden, classes, dy.data(), w2.data(), dh.data());
    cue::nn::gemm(true, false, inputs, hidden, batch, x, dh.data(), dw1.data());
    benchmark::DoNotOptimize(dw1.data());
    benchmark::ClobberMemory();
  }
}

void adam_update(benchmark::State& state) {
  std::vector<float> w1(inputs * hidden, 0.01f), b1(hidden), w2(hidden * classes, 0.01f), b2(classes);
  std::vector<float> g1(w1.size(), 1e-3f), gb1(hidden, 1e-3f), g2(w2.size(), 1e-3f), gb2(classes, 1e-3f);
  const std::vector<std::span<float>> params{w1, b1, w2, b2}, grads{g1, gb1, g2, gb2};
  cue::nn::adam opt;
  for (auto _ : state) {
    opt.apply(params, grads);
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string(cue::nn::adam::simd_variant()));
}

void gather(benchmark::State& state) {
  cue::data::batches all(train(), {.batch_size = batch, .seed = 42});
  auto it = all.begin();
  for (auto _ : state) {
    if (it == all.end()) it = all.begin();
    benchmark::DoNotOptimize(*it);
    ++it;
  }
}

}  // namespace

BENCHMARK(train_step)->Name("nn_step/train_step")->Unit(benchmark::kMicrosecond);
BENCHMARK(gemms_alone)->Name("nn_step/its_5_gemms")->Unit(benchmark::kMicrosecond);
BENCHMARK(adam_update)->Name("nn_step/adam_update")->Unit(benchmark::kMicrosecond);
BENCHMARK(gather)->Name("nn_step/gather_a_batch")->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
