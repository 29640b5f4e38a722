// Optimizer updates against values computed by hand from Keras 3's formulas.
#include <cue/nn/adam.hpp>
#include <cue/nn/sgd.hpp>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/io/checkpoint.hpp>

namespace {
// Applies two steps with gradients g1 then g2 to a single weight starting at 1.
template <class Optimizer>
std::vector<float> two_steps(Optimizer opt, float g1, float g2) {
  std::vector<float> w{1.0f}, g{g1};
  std::vector<float> seen;
  opt.apply({std::span<float>(w)}, {std::span<float>(g)});
  seen.push_back(w[0]);
  g[0] = g2;
  opt.apply({std::span<float>(w)}, {std::span<float>(g)});
  seen.push_back(w[0]);
  return seen;
}
}  // namespace

TEST_CASE("optimizer defaults are Keras's") {
  CHECK(cue::nn::sgd_options{}.learning_rate == 0.01);
  CHECK(cue::nn::sgd_options{}.momentum == 0.0);
  CHECK_FALSE(cue::nn::sgd_options{}.nesterov);
  CHECK(cue::nn::adam_options{}.learning_rate == 0.001);
  CHECK(cue::nn::adam_options{}.beta_1 == 0.9);
  CHECK(cue::nn::adam_options{}.beta_2 == 0.999);
  CHECK(cue::nn::adam_options{}.epsilon == 1e-7);
}

TEST_CASE("sgd: plain, momentum, Nesterov") {
  CHECK(two_steps(cue::nn::sgd({.learning_rate = 0.1}), 2.0f, 1.0f) ==
        std::vector<float>{0.8f, 0.7f});
  // m1 = -0.2, w = 0.8; m2 = 0.9 * -0.2 - 0.1 = -0.28, w = 0.52
  const auto m = two_steps(cue::nn::sgd({.learning_rate = 0.1, .momentum = 0.9}), 2.0f, 1.0f);
  CHECK(m[0] == Approx(0.8f));
  CHECK(m[1] == Approx(0.52f));
  // Nesterov: w += 0.9 m - lr g: 1 + 0.9(-0.2) - 0.2 = 0.62; m2 = -0.28, 0.62 + 0.9(-0.28) - 0.1 = 0.268
  const auto n = two_steps(cue::nn::sgd({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}), 2.0f, 1.0f);
  CHECK(n[0] == Approx(0.62f));
  CHECK(n[1] == Approx(0.268f));
  CHECK_THROWS_AS(cue::nn::sgd({.momentum = 1.5}), std::invalid_argument);
}

TEST_CASE("adam: two steps as Keras computes them") {
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
  double m = 0, v = 0, w = 1;
  const double grads[] = {2.0, -1.0};
  std::vector<double> expected;
  for (int t = 1; t <= 2; ++t) {
    const double g = grads[t - 1];
    m += (g - m) * (1 - b1);
    v += (g * g - v) * (1 - b2);
    const double alpha = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    w -= m * alpha / (std::sqrt(v) + eps);
    expected.push_back(w);
  }
  const auto got = two_steps(cue::nn::adam({.learning_rate = lr}), 2.0f, -1.0f);
  CHECK(got[0] == Approx(expected[0]).epsilon(1e-6));
  CHECK(got[1] == Approx(expected[1]).epsilon(1e-6));
}

TEST_CASE("every SIMD variant of adam's update computes the portable one's bits") {
  // Sizes with every tail length of the widest variant, steps with growing bias correction,
  // gradients of both signs across magnitudes.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-12, 2);
  for (const auto& variant : cue::nn::detail::adam_variants) {
    if (!variant.runs_here()) continue;
    INFO(variant.name);
    for (std::size_t n : {1u, 3u, 4u, 7u, 8u, 15u, 16u, 17u, 31u, 1000u, 1037u}) {
      std::vector<float> w(n), g(n);
      for (auto& x : w) x = mantissa(rng);
      std::vector<float> m(n), v(n), w2 = w, m2(n), v2(n);
      for (int step = 1; step <= 3; ++step) {
        for (auto& x : g) x = std::ldexp(mantissa(rng), exponent(rng));
        const cue::nn::detail::adam_step s{0.01f * step, 0.1f, 0.001f, 1e-7f};
        cue::nn::detail::adam_portable(w.data(), g.data(), m.data(), v.data(), n, s);
        variant.kernel(w2.data(), g.data(), m2.data(), v2.data(), n, s);
      }
      REQUIRE(std::memcmp(w.data(), w2.data(), n * sizeof(float)) == 0);
      REQUIRE(std::memcmp(m.data(), m2.data(), n * sizeof(float)) == 0);
      REQUIRE(std::memcmp(v.data(), v2.data(), n * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("the SIMD variant is the one measured fastest, or the one CUE_SIMD names") {
  using cue::nn::simd::variant;
  constexpr auto never = [] { return false; };
  // Kernels stand for their own measured seconds: the widest is not the fastest here.
  const std::array<variant<double>, 4> variants{{{"narrow", cue::nn::simd::always, 3.0},
                                                 {"wide", cue::nn::simd::always, 2.0},
                                                 {"wider", cue::nn::simd::always, 2.5},
                                                 {"absent", never, 1.0}}};
  const auto seconds = [](double s) { return s; };
  ::unsetenv("CUE_SIMD");
  CHECK(std::string(cue::nn::simd::fastest(variants, seconds).name) == "wide");
  ::setenv("CUE_SIMD", "wider", 1);
  CHECK(std::string(cue::nn::simd::fastest(variants, seconds).name) == "wider");
  ::setenv("CUE_SIMD", "absent", 1);
  CHECK_THROWS_WITH(cue::nn::simd::fastest(variants, seconds),
                    "cue: CUE_SIMD=absent is not a variant this CPU runs (narrow, wide, wider)");
  ::unsetenv("CUE_SIMD");
}

TEST_CASE("optimizer state survives a checkpoint, its step count exactly") {
  std::vector<float> w{1.0f, 2.0f}, g{0.5f, -0.5f};
  const std::vector<std::span<float>> params{std::span<float>(w)};
  cue::nn::adam a({.learning_rate = 0.1});
  a.apply(params, {std::span<float>(g)});
  cue::io::checkpoint c{"learner", {}, {}, "f.npz"};
  a.save_state(c);
  CHECK(c.value("adam.iterations") == "1");
  cue::nn::adam b({.learning_rate = 0.1});
  b.load_state(c, params);
  CHECK(b.iterations() == 1);
  std::vector<float> wa = w, wb = w;
  a.apply({std::span<float>(wa)}, {std::span<float>(g)});
  b.apply({std::span<float>(wb)}, {std::span<float>(g)});
  CHECK(wa == wb);

  c.values["adam.iterations"] = "16777217";  // 2^24 + 1: not a float32, still exact
  b.load_state(c, params);
  CHECK(b.iterations() == 16777217u);
}

TEST_CASE("an optimizer refuses state that does not fit, and keeps its own") {
  std::vector<float> w{1.0f, 2.0f}, g{0.5f, -0.5f}, wide(3, 0.0f);
  cue::nn::sgd a({.learning_rate = 0.1, .momentum = 0.9});
  a.apply({std::span<float>(w)}, {std::span<float>(g)});
  cue::io::checkpoint c{"learner", {}, {}, "f.npz"};
  a.save_state(c);
  cue::nn::sgd b({.learning_rate = 0.1, .momentum = 0.9});
  CHECK_THROWS_WITH(b.load_state(c, {std::span<float>(wide)}),
                    "cue: f.npz: array 'sgd.m.0' holds 2 numbers, this learner expects 3");
  CHECK(b.iterations() == 0);
  cue::nn::adam other;
  CHECK_THROWS_WITH(other.load_state(c, {std::span<float>(w)}),
                    "cue: f.npz: saved with the optimizer sgd, this learner uses adam");
}
