#include <cue/nn/classifier.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>
#include <cue/learner_files.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>
#include <cue/nn/sgd.hpp>

namespace fs = std::filesystem;

namespace {
auto make(std::uint64_t seed, std::size_t hidden = 8) {
  std::mt19937_64 rng(seed);
  cue::nn::sequential net{cue::nn::dense(4, hidden, rng), cue::nn::relu{}, cue::nn::dense(hidden, 3, rng)};
  return cue::nn::classifier(std::move(net), cue::nn::adam({.learning_rate = 0.01}));
}
using model_t = decltype(make(0));

// Three classes of 4 features: the class decides which feature is large.
cue::data::dataset blobs(std::size_t n, std::uint64_t seed) {
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({n, 4}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    d.y(i) = static_cast<std::int32_t>(i % 3);
    for (std::size_t f = 0; f < 4; ++f)
      d.x(i, f) = static_cast<float>(rng() % 1000) / 1000.0f + (f == i % 3 ? 2.0f : 0.0f);
  }
  return d;
}
}  // namespace

TEST_CASE("the classifier meets the whole learner contract") {
  STATIC_REQUIRE(cue::has_train_step<model_t, const cue::data::batch>);
  STATIC_REQUIRE(cue::has_split_step<model_t, const cue::data::batch>);
  STATIC_REQUIRE(cue::has_test_step<model_t, const cue::data::batch>);
  STATIC_REQUIRE(cue::has_predict_step<model_t, const cue::data::batch>);
  STATIC_REQUIRE(cue::has_state<model_t>);
  STATIC_REQUIRE(cue::has_save<model_t>);
  STATIC_REQUIRE(cue::has_save_weights<model_t>);
  STATIC_REQUIRE(cue::has_learning_rate<model_t>);
  STATIC_REQUIRE(cue::has_gradients<model_t>);
}

TEST_CASE("it learns, and the same seed gives bit-for-bit the same weights") {
  const auto data = blobs(300, 1);
  auto run = [&](std::uint64_t seed) {
    auto model = make(seed);
    cue::data::batches batches(data, {.batch_size = 16, .seed = seed});
    auto h = cue::fit(model, batches, batches, {.epochs = 5});
    return std::pair{model.weights_digest(), h["val_accuracy"].back()};
  };
  const auto [digest, accuracy] = run(3);
  CHECK(accuracy > 0.9);
  CHECK(run(3).first == digest);
  CHECK(run(4).first != digest);
}

TEST_CASE("state, save/load and save_weights/load_weights restore the weights") {
  const auto data = blobs(60, 2);
  cue::data::batches batches(data, {.batch_size = 16, .shuffle = false});
  auto model = make(1);
  cue::fit(model, batches, {.epochs = 1});
  const auto digest = model.weights_digest();
  const auto snapshot = model.state();
  const auto dir = fs::temp_directory_path() / "cue-classifier-test";
  fs::create_directories(dir);
  model.save(dir / "full.npz");
  model.save_weights(dir / "weights.npz");
  cue::fit(model, batches, {.epochs = 1});
  CHECK(model.weights_digest() != digest);
  model.load_state(snapshot);
  CHECK(model.weights_digest() == digest);
  cue::fit(model, batches, {.epochs = 1});
  model.load_weights(dir / "weights.npz");
  CHECK(model.weights_digest() == digest);

  // save/load carries the optimizer too: the next epoch is the same from either copy
  auto resumed = make(99);
  resumed.load(dir / "full.npz");
  CHECK(resumed.weights_digest() == digest);
  model.load(dir / "full.npz");
  cue::fit(model, batches, {.epochs = 1});
  cue::fit(resumed, batches, {.epochs = 1});
  CHECK(resumed.weights_digest() == model.weights_digest());
  fs::remove_all(dir);
}

TEST_CASE("loading a file of another shape or a corrupted file fails, naming it; nothing changes") {
  const auto dir = fs::temp_directory_path() / "cue-classifier-bad";
  fs::create_directories(dir);
  auto wide = make(1, 16);
  wide.save_weights(dir / "wide.npz");
  auto model = make(1);
  const auto digest = model.weights_digest();
  CHECK_THROWS_WITH(model.load_weights(dir / "wide.npz"),
                    Catch::Contains((dir / "wide.npz").string()) &&
                        Catch::Contains("param_000 has shape (4, 16), the model expects (4, 8)"));
  std::ofstream(dir / "junk.npz") << "junk";
  CHECK_THROWS_WITH(model.load_weights(dir / "junk.npz"), Catch::Contains("not a cue file"));
  // A weights-only file cannot restore the optimizer; another optimizer's state does not fit.
  model.save_weights(dir / "weights.npz");
  CHECK_THROWS_WITH(model.load(dir / "weights.npz"), Catch::Contains("holds weights only (save_weights wrote it)"));
  auto with_sgd = cue::nn::classifier(make(1).model(), cue::nn::sgd({.learning_rate = 0.1, .momentum = 0.9}));
  const auto small = blobs(32, 2);
  cue::data::batches batches(small, {.batch_size = 16});
  cue::fit(with_sgd, batches, {.epochs = 1});
  with_sgd.save(dir / "sgd.npz");
  CHECK_THROWS_WITH(model.load(dir / "sgd.npz"), Catch::Contains("saved with the optimizer sgd, this learner uses"));
  CHECK(model.weights_digest() == digest);
  CHECK(fs::exists(dir / "junk.npz"));  // never deleted
  fs::remove_all(dir);
}

TEST_CASE("learning rate and predictions") {
  auto model = make(1);
  CHECK(model.learning_rate() == 0.01);
  model.set_learning_rate(0.5);
  CHECK(model.learning_rate() == 0.5);
  const auto data = blobs(9, 1);
  cue::data::batches batches(data, {.batch_size = 4, .shuffle = false});
  const auto predictions = cue::predict(model, batches);
  CHECK(predictions.size() == 3);
  CHECK(predictions[2].size() == 1);
}
