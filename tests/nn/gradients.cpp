// The analytic gradients of dense, relu and softmax cross-entropy against finite differences.
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/losses.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>
#include <cue/nn/sgd.hpp>

#include <cmath>
#include <random>

#include <catch2/catch.hpp>

namespace {
cue::data::batch small_batch() {
  cue::data::batch b{xt::xtensor<float, 2>::from_shape({4, 5}), xt::xtensor<std::int32_t, 1>{0, 2, 1, 2}};
  std::mt19937_64 rng(11);
  for (auto& v : b.x) v = static_cast<float>(static_cast<double>(rng() % 2000) / 1000.0 - 1.0);
  return b;
}
}  // namespace

TEST_CASE("dense, relu and softmax cross-entropy gradients match finite differences") {
  std::mt19937_64 rng(5);
  cue::nn::sequential net{cue::nn::dense(5, 6, rng), cue::nn::relu{}, cue::nn::dense(6, 3, rng)};
  cue::nn::classifier model(std::move(net), cue::nn::sgd{});
  const auto b = small_batch();
  model.forward_backward(b);
  std::vector<std::vector<float>> analytic;
  for (auto g : model.gradients()) analytic.emplace_back(g.begin(), g.end());

  auto params = model.model().parameters();
  const float h = 1e-3f;
  int checked = 0;
  for (std::size_t p = 0; p < params.size(); ++p)
    for (std::size_t i = 0; i < params[p].size(); ++i) {
      const float saved = params[p][i];
      params[p][i] = saved + h;
      const double up = cue::get<"loss">(model.test_step(b));
      params[p][i] = saved - h;
      const double down = cue::get<"loss">(model.test_step(b));
      params[p][i] = saved;
      const double numeric = (up - down) / (2 * h);
      INFO("parameter array " << p << " index " << i);
      CHECK(analytic[p][i] == Approx(numeric).margin(2e-3).epsilon(2e-2));
      ++checked;
    }
  CHECK(checked == 5 * 6 + 6 + 6 * 3 + 3);
}

TEST_CASE("softmax cross-entropy is stable for large logits and its gradient sums to zero") {
  xt::xtensor<float, 2> logits{{1000.0f, 0.0f, -1000.0f}, {5.0f, 5.0f, 5.0f}};
  xt::xtensor<std::int32_t, 1> labels{0, 1};
  xt::xtensor<float, 2> grad;
  const auto r = cue::nn::softmax_cross_entropy(logits, labels, &grad);
  CHECK(std::isfinite(r.loss));
  CHECK(r.loss == Approx(std::log(3.0) / 2));  // 0 for the first row, log 3 for the second
  CHECK(r.accuracy == 0.5);                    // the tie picks class 0, not 1
  for (std::size_t row = 0; row < 2; ++row)
    CHECK(grad(row, 0) + grad(row, 1) + grad(row, 2) == Approx(0.0).margin(1e-7));
  CHECK_THROWS_AS(cue::nn::softmax_cross_entropy(logits, xt::xtensor<std::int32_t, 1>{0, 7}),
                  std::invalid_argument);
}

TEST_CASE("mse and its gradient") {
  xt::xtensor<float, 2> p{{1.0f, 2.0f}}, t{{0.0f, 4.0f}}, grad;
  const auto r = cue::nn::mse(p, t, &grad);
  CHECK(r.loss == Approx(2.5));
  CHECK(grad(0, 0) == Approx(1.0f));
  CHECK(grad(0, 1) == Approx(-2.0f));
}
