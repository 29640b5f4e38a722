// The five matrix products of the Fashion-MNIST step (784-128-10) at several batch sizes, through
// CBLAS: built once per BLAS library found (OpenBLAS always, BLIS when libblis-dev is there), to
// choose cue::nn's BLAS with numbers. Threads come from the environment (OPENBLAS_NUM_THREADS,
// BLIS_NUM_THREADS).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <vector>

namespace {

void gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}

void five_gemms(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0)), inputs = 784, hidden = 128, classes = 10;
  std::vector<float> x(batch * inputs, 0.3f), w1(inputs * hidden, 0.01f), w2(hidden * classes, 0.01f),
      h(batch * hidden), y(batch * classes), dy(batch * classes, 0.01f), dh(batch * hidden), dw1(w1.size()),
      dw2(w2.size());
  for (auto _ : state) {
    gemm(false, false, batch, hidden, inputs, x.data(), w1.data(), h.data());
    gemm(false, false, batch, classes, hidden, h.data(), w2.data(), y.data());
    gemm(true, false, hidden, classes, batch, h.data(), dy.data(), dw2.data());
    gemm(false, true, batch, hidden, classes, dy.data(), w2.data(), dh.data());
    gemm(true, false, inputs, hidden, batch, x.data(), dh.data(), dw1.data());
    benchmark::DoNotOptimize(dw1.data());
    benchmark::ClobberMemory();
  }
}

}  // namespace

BENCHMARK(five_gemms)->Name("five_gemms")->Arg(32)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
