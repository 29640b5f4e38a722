// cue::nn::simd: choosing a kernel's SIMD variant at run time, by what measures fastest on the
// machine rather than by width (the widest is not always the fastest: xsimd's AVX-512 Adam took
// 92 µs here against 33 µs with AVX2), so one header-only build without -march flags runs well on
// any x86-64.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

// Variants compiled for an instruction set the build does not assume (GCC's and clang's
// `target` attribute). Every variant computes bit for bit what the others compute: no fused
// multiply-add is contracted from a multiply and an add (under AVX-512F, whose instructions include
// FMA, GCC would contract vector code and clang scalar code), so the choice never changes a result.
// CUE_NN_TARGET goes before a kernel, CUE_NN_UNCONTRACTED first in its body.
#if defined(__GNUC__) && !defined(__clang__)
#define CUE_NN_EXACT __attribute__((optimize("fp-contract=off")))
#else
#define CUE_NN_EXACT
#endif
#if defined(__clang__)
#define CUE_NN_UNCONTRACTED _Pragma("clang fp contract(off)")
#else
#define CUE_NN_UNCONTRACTED
#endif
#define CUE_NN_TARGET(isa) __attribute__((target(isa))) CUE_NN_EXACT

namespace cue::nn::simd {

/// One way to run a kernel: its name (what `CUE_SIMD` selects), whether this CPU runs it, and it.
template <class Kernel>
struct variant {
  std::string_view name;
  bool (*runs_here)();
  Kernel kernel;
};

inline bool always() { return true; }

/// The variant the environment variable `CUE_SIMD` names, if set (for benchmarks and to compare
/// runs); else the one of `variants` this CPU runs that `seconds(kernel)` measures fastest.
template <class Kernel, std::size_t N, class Trial>
const variant<Kernel>& fastest(const std::array<variant<Kernel>, N>& variants, Trial seconds) {
  if (const char* wanted = std::getenv("CUE_SIMD"); wanted && *wanted) {
    std::string known;
    for (const auto& v : variants) {
      if (v.name == wanted && v.runs_here()) return v;
      if (v.runs_here()) known += (known.empty() ? "" : ", ") + std::string(v.name);
    }
    throw std::runtime_error("cue: CUE_SIMD=" + std::string(wanted) + " is not a variant this CPU runs (" +
                             known + ")");
  }
  const variant<Kernel>* best = &variants[0];
  double best_time = std::numeric_limits<double>::infinity();
  for (const auto& v : variants) {
    if (!v.runs_here()) continue;
    seconds(v.kernel);  // warm the caches
    double t = std::numeric_limits<double>::infinity();
    for (int i = 0; i < 5; ++i) t = std::min(t, seconds(v.kernel));
    if (t < best_time) best = &v, best_time = t;
  }
  return *best;
}

/// Seconds `f()` takes.
template <class F>
double time(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

#if defined(__x86_64__) || defined(__i386__)
// (__builtin_cpu_init: a static initializer may ask before the CPU model's own constructor ran)
inline bool has_avx() { return __builtin_cpu_init(), __builtin_cpu_supports("avx"); }
inline bool has_avx512f() { return __builtin_cpu_init(), __builtin_cpu_supports("avx512f"); }
#endif

}  // namespace cue::nn::simd
