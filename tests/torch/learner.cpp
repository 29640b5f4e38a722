// cue::torch::learner: a libtorch module trained by cue::fit with the built-in callbacks, its files
// read back by libtorch itself, an interrupted run resumed exactly, and its mistakes as errors.
#include <cue/torch/learner.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/cue.hpp>

#include "../support.hpp"
#include "same_weights.hpp"

namespace {

// Three classes of points around three corners of a 4-dimensional cube, in batches of 16.
std::vector<cue::torch::batch> blobs(int batches, std::uint64_t seed) {
  const auto generator = at::detail::createCPUGenerator(seed);
  std::vector<cue::torch::batch> out;
  for (int i = 0; i < batches; ++i) {
    auto y = torch::randint(0, 3, {16}, generator, torch::kLong);
    auto centres = torch::eye(3, 4) * 3.0;
    auto x = centres.index_select(0, y) + torch::randn({16, 4}, generator);
    out.push_back({x, y});
  }
  return out;
}

torch::nn::Sequential network() {
  torch::manual_seed(1);
  return torch::nn::Sequential(torch::nn::Linear(4, 16), torch::nn::ReLU(), torch::nn::Linear(16, 3));
}

auto make_learner() {
  auto net = network();
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-2));
  return cue::torch::learner(net, std::move(adam), torch::nn::CrossEntropyLoss(), cue::torch::accuracy{});
}
using learner_t = decltype(make_learner());

using cue_test::crash_at_batch;
using cue_test::same_weights;

}  // namespace

TEST_CASE("the torch learner has every capability of the learner contract") {
  STATIC_REQUIRE(cue::has_split_step<learner_t, cue::torch::batch>);
  STATIC_REQUIRE(cue::has_test_step<learner_t, cue::torch::batch>);
  STATIC_REQUIRE(cue::has_predict_step<learner_t, cue::torch::batch>);
  STATIC_REQUIRE(cue::has_state<learner_t>);
  STATIC_REQUIRE(cue::has_save<learner_t>);
  STATIC_REQUIRE(cue::has_save_weights<learner_t>);
  STATIC_REQUIRE(cue::has_gradients<learner_t>);
  STATIC_REQUIRE(cue::has_learning_rate<learner_t>);
  STATIC_REQUIRE(std::is_same_v<learner_t::logs_type, cue::logs<"loss", "accuracy">>);
}

TEST_CASE("cue::fit trains a torch module with the built-in callbacks; the checkpoint is a file torch::load reads") {
  torch::set_num_threads(1);
  const auto dir = cue_test::fresh_dir("cue-torch-fit");
  const auto train = blobs(15, 1), validation = blobs(4, 2);
  auto model = make_learner();
  std::ostringstream csv;
  cue::early_stopping<"val_loss"> stopping({.patience = 2, .restore_best_weights = true});
  const auto history = cue::fit(
      model, train, validation, {.epochs = 8}, cue::terminate_on_nan{}, stopping,
      cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 1}),
      cue::model_checkpoint<"val_loss">({.filepath = (dir / "last.pt").string(), .save_weights_only = true}),
      cue::csv_logger(csv));
  CHECK(history["val_accuracy"].back() > 0.9);
  CHECK(history["loss"].front() > history["loss"].back());
  CHECK(csv.str().rfind("epoch,accuracy,learning_rate,loss,val_accuracy,val_loss\n", 0) == 0);

  // The last epoch's checkpoint, read by libtorch alone, holds that epoch's weights; fit's weights
  // may since have been put back to the best epoch's by early stopping.
  auto read = network();
  torch::load(read, (dir / "last.pt").string());
  REQUIRE(read->parameters().size() == 4);
  const auto evaluated = cue::evaluate(model, validation);
  CHECK(cue::get<"accuracy">(evaluated) > 0.9);

  // Predictions come in eval mode, without autograd.
  const auto out = model.predict_step(validation[0]);
  CHECK_FALSE(out.requires_grad());
  CHECK(out.sizes() == torch::IntArrayRef{16, 3});
  std::filesystem::remove_all(dir);
}

TEST_CASE("save_weights writes what torch::load reads; load refuses it; load_weights of another shape changes nothing") {
  const auto dir = cue_test::fresh_dir("cue-torch-files");
  auto model = make_learner();
  model.save_weights(dir / "w.pt");
  auto read = network();
  for (auto& p : read->parameters()) p.data().fill_(7.0f);
  torch::load(read, (dir / "w.pt").string());
  CHECK(same_weights(*read, *model.module()));

  CHECK_THROWS_WITH(model.load(dir / "w.pt"),
                    Catch::Contains("holds weights only (save_weights wrote it); read it with load_weights"));

  torch::nn::Sequential wider_net(torch::nn::Linear(4, 32), torch::nn::ReLU(), torch::nn::Linear(32, 3));
  auto wider = cue::torch::learner(wider_net, torch::optim::SGD(wider_net->parameters(), torch::optim::SGDOptions(0.1)),
                                   torch::nn::CrossEntropyLoss());
  const auto before = model.state();
  wider.save_weights(dir / "wider.pt");
  CHECK_THROWS_WITH(model.load_weights(dir / "wider.pt"),
                    Catch::StartsWith("cue: " + (dir / "wider.pt").string() + " does not fit this learner"));
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(torch::equal(before[i], model.state()[i]));

  std::ofstream(dir / "garbage.pt") << "not a torch file";
  CHECK_THROWS_WITH(model.load_weights(dir / "garbage.pt"),
                    Catch::StartsWith("cue: " + (dir / "garbage.pt").string() + " is not a file torch::save wrote"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a run interrupted mid-epoch resumes from its backup to the uninterrupted run's weights, bit for bit") {
  torch::set_num_threads(1);
  const auto dir = cue_test::fresh_dir("cue-torch-resume");
  const auto train = blobs(10, 3);
  auto unbroken = make_learner();
  cue::fit(unbroken, train, {.epochs = 4});

  const cue::backup_and_restore_options o{.backup_dir = (dir / "backup").string(), .save_freq = cue::save_frequency(3)};
  {
    auto first = make_learner();
    CHECK_THROWS_WITH(cue::fit(first, train, {.epochs = 4}, cue::backup_and_restore(o), crash_at_batch{2, 5}),
                      "power cut");
  }
  auto resumed = make_learner();  // a new process would start from the same initial weights
  cue::backup_and_restore backup(o);
  cue::fit(resumed, train, {.epochs = 4}, backup);
  REQUIRE(backup.resumed_from().has_value());
  CHECK(backup.resumed_from()->epoch == 2);
  CHECK(same_weights(*resumed.module(), *unbroken.module()));  // Adam's moments and steps came back too
  std::filesystem::remove_all(dir);
}

TEST_CASE("gradients() are torch's, and what a callback writes to them is what the optimizer steps on") {
  auto net = network();
  auto model = cue::torch::learner(net, torch::optim::SGD(net->parameters(), torch::optim::SGDOptions(0.1)),
                                   torch::nn::CrossEntropyLoss());
  const auto batch = blobs(1, 4)[0];
  model.forward_backward(batch);
  const auto grads = model.gradients();
  REQUIRE(grads.size() == 4);
  CHECK(grads[0].data() == net->parameters()[0].grad().data_ptr<float>());
  const auto before = model.state();
  for (auto g : grads) std::fill(g.begin(), g.end(), 0.0f);  // as a callback between backward and step
  model.apply_gradients();
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(torch::equal(before[i], model.state()[i]));

  model.set_learning_rate(0.025);
  CHECK(model.learning_rate() == 0.025);
  CHECK(model.optimizer().param_groups()[0].options().get_lr() == 0.025);
}

TEST_CASE("a module without parameters and a loss that is not a scalar are errors that say so") {
  const std::vector<torch::Tensor> elsewhere{torch::zeros({1}, torch::requires_grad())};
  CHECK_THROWS_WITH(cue::torch::learner(torch::nn::Sequential(torch::nn::ReLU()),
                                        torch::optim::SGD(elsewhere, torch::optim::SGDOptions(0.1)),
                                        torch::nn::CrossEntropyLoss()),
                    Catch::StartsWith("cue: torch::learner: the module has no parameters"));
  auto net = network();
  auto model = cue::torch::learner(
      net, torch::optim::SGD(net->parameters(), torch::optim::SGDOptions(0.1)),
      torch::nn::CrossEntropyLoss(torch::nn::CrossEntropyLossOptions().reduction(torch::kNone)));
  CHECK_THROWS_WITH(model.forward_backward(blobs(1, 5)[0]),
                    Catch::StartsWith("cue: torch::learner: the loss returned a tensor of 1 dimensions, where a "
                                      "scalar is needed"));
}

TEST_CASE("a torch snapshot goes through a backup's state exactly, types and shapes kept") {
  using codec = cue::snapshot_codec<std::vector<torch::Tensor>>;
  STATIC_REQUIRE(cue::serializable_snapshot<learner_t::snapshot>);
  torch::manual_seed(3);
  const std::vector<torch::Tensor> s{torch::randn({3, 4}) * 1e-30, torch::tensor(std::vector<std::int64_t>{7, -2, std::int64_t{1} << 52}, torch::kLong),
                                     torch::tensor(0.1, torch::kDouble)};
  const auto back = codec::load(codec::save(s));
  REQUIRE(back.size() == s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    CHECK(back[i].scalar_type() == s[i].scalar_type());
    CHECK(torch::equal(back[i], s[i]));
  }
  auto damaged = codec::save(s);
  damaged["1.shape"] = "2 ";
  CHECK_THROWS_WITH(codec::load(damaged), "cue: a torch snapshot's tensor 1 has the wrong number of values");
}
