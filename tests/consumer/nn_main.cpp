// Trains cue::nn's classifier a little, through an installed cue found with COMPONENTS nn.
#include <cue/cue.hpp>
#include <cue/nn.hpp>

#include <cstdio>
#include <random>

int main() {
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({64, 2}), xt::xtensor<std::int32_t, 1>::from_shape({64})};
  for (std::size_t i = 0; i < 64; ++i) {
    d.y(i) = static_cast<std::int32_t>(i % 2);
    d.x(i, 0) = d.y(i) == 1 ? 1.0f : -1.0f;
    d.x(i, 1) = 0.5f;
  }
  std::mt19937_64 rng(1);
  cue::nn::classifier model(cue::nn::sequential{cue::nn::dense(2, 2, rng)}, cue::nn::adam({.learning_rate = 0.05}));
  const auto part = d.first(32);  // batches refer to their dataset
  cue::data::batches batches(part, {.batch_size = 8, .seed = 1});
  auto h = cue::fit(model, batches, {.epochs = 20});
  std::printf("accuracy=%.2f\n", h["accuracy"].back());
  return h["accuracy"].back() > 0.9 ? 0 : 1;
}
