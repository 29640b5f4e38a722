// cue::torch::from_loader: libtorch's own data loaders as cue data, trained on as the same batches
// in a container would be, and resumed mid-epoch to the uninterrupted run, bit for bit.
#include <cue/torch/data_loader.hpp>

#include <filesystem>
#include <ranges>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/cue.hpp>

#include "../support.hpp"
#include "same_weights.hpp"

namespace {

// A dataset as libtorch users write one: 150 points of three classes around three corners of a
// 4-dimensional cube (150 is not a multiple of the batch size: the last batch is short).
class blobs : public torch::data::datasets::Dataset<blobs> {
 public:
  blobs() {
    const auto generator = at::detail::createCPUGenerator(7);
    y_ = torch::randint(0, 3, {150}, generator, torch::kLong);
    x_ = (torch::eye(3, 4) * 3.0).index_select(0, y_) + torch::randn({150, 4}, generator);
  }
  torch::data::Example<> get(std::size_t i) override {
    const auto at = static_cast<std::int64_t>(i);
    return {x_[at], y_[at]};
  }
  torch::optional<std::size_t> size() const override { return 150; }

 private:
  torch::Tensor x_, y_;
};

template <class Sampler>
auto loader_of(Sampler sampler) {
  return torch::data::make_data_loader(blobs().map(torch::data::transforms::Stack<>()), std::move(sampler),
                                       torch::data::DataLoaderOptions(16));
}

// With dropout, so that a resumed run matches only if torch's generator is where the cut left it.
auto make_learner() {
  torch::manual_seed(1);
  torch::nn::Sequential net(torch::nn::Linear(4, 16), torch::nn::ReLU(), torch::nn::Dropout(0.25),
                            torch::nn::Linear(16, 3));
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-2));
  return cue::torch::learner(net, std::move(adam), torch::nn::CrossEntropyLoss(), cue::torch::accuracy{});
}

using cue_test::crash_at_batch;
using cue_test::same_weights;

using sequential_loader = decltype(loader_of(torch::data::samplers::SequentialSampler(0)));

}  // namespace

TEST_CASE("a torch data loader is a range of cue::torch::batch that keeps its state") {
  using view = cue::torch::from_loader<sequential_loader::element_type>;
  STATIC_REQUIRE(std::ranges::input_range<view>);
  STATIC_REQUIRE(std::is_same_v<std::ranges::range_value_t<view>, cue::torch::batch>);
  STATIC_REQUIRE(cue::detail::keeps_state<view>);
}

TEST_CASE("fit, evaluate and predict on a torch data loader see what they see in the same batches in a vector") {
  torch::set_num_threads(1);
  auto loader = loader_of(torch::data::samplers::SequentialSampler(150));
  std::vector<cue::torch::batch> same;
  for (auto& example : *loader) same.push_back({example.data, example.target});
  REQUIRE(same.size() == 10);
  REQUIRE(same.back().size() == 6);  // the short last batch

  auto from_vector = make_learner();
  const auto expected = cue::fit(from_vector, same, same, {.epochs = 3});
  auto from_loader = make_learner();
  const auto got = cue::fit(from_loader, cue::torch::from_loader(*loader), cue::torch::from_loader(*loader),
                            {.epochs = 3});
  CHECK(same_weights(*from_loader.module(), *from_vector.module()));
  CHECK(got["loss"] == expected["loss"]);  // weighted by the batches' sizes, the short one included
  CHECK(got["val_accuracy"] == expected["val_accuracy"]);

  CHECK(cue::get<"loss">(cue::evaluate(from_loader, cue::torch::from_loader(*loader))) ==
        cue::get<"loss">(cue::evaluate(from_vector, same)));
  const auto predictions = cue::predict(from_loader, cue::torch::from_loader(*loader));
  REQUIRE(predictions.size() == 10);
  CHECK(torch::equal(predictions.back(), from_vector.predict_step(same.back())));
}

TEST_CASE("a run on a shuffling torch loader, killed mid-epoch, resumes to the uninterrupted run's weights, bit for bit") {
  torch::set_num_threads(1);
  const auto dir = cue_test::fresh_dir("cue-torch-loader-resume");
  auto loader = loader_of(torch::data::samplers::RandomSampler(150));

  auto unbroken = make_learner();
  cue::fit(unbroken, cue::torch::from_loader(*loader), {.epochs = 4});

  const cue::backup_and_restore_options o{.backup_dir = (dir / "backup").string(), .save_freq = cue::save_frequency(3)};
  {
    auto first = make_learner();
    CHECK_THROWS_WITH(
        cue::fit(first, cue::torch::from_loader(*loader), {.epochs = 4}, cue::backup_and_restore(o), crash_at_batch{2, 7}),
        "power cut");
  }
  auto resumed = make_learner();  // a new process: the same seed, so torch's generator starts over
  cue::backup_and_restore backup(o);
  cue::fit(resumed, cue::torch::from_loader(*loader), {.epochs = 4}, backup);
  REQUIRE(backup.resumed_from().has_value());
  CHECK(backup.resumed_from()->epoch == 2);
  CHECK(backup.resumed_from()->batch == 7);  // inside the epoch: the backup after its 7th batch (step 27)
  CHECK(same_weights(*resumed.module(), *unbroken.module()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a backup's generator state that is not torch's is an error that says so") {
  auto loader = loader_of(torch::data::samplers::RandomSampler(150));
  cue::torch::from_loader view(*loader);
  CHECK_THROWS_WITH(view.load_state_dict({{"generator", "xyzw"}}),
                    Catch::Contains("torch::from_loader") && Catch::Contains("hexadecimal"));
  CHECK_THROWS_WITH(view.load_state_dict({{"generator", "00ff"}}),
                    Catch::Contains("torch::from_loader") && Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(view.load_state_dict({}), Catch::Contains("generator"));
}
