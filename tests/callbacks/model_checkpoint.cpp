#include <cue/callbacks/model_checkpoint.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>
#include <cue/requirements.hpp>
#include <cue/run_events.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;
namespace fs = std::filesystem;

namespace {
const std::vector<batch> one_batch{{1.0}};
using ctx = cue::context<scripted_learner, cue::logs<"loss", "val_loss">>;

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("cue-mc-" + name);
  fs::remove_all(dir);
  return dir;
}
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}
std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("model_checkpoint's hooks and needs") {
  using mc = cue::model_checkpoint<"val_loss">;
  STATIC_REQUIRE(cue::handles_on_train_begin<mc, ctx>);
  STATIC_REQUIRE(cue::handles_on_epoch_begin<mc, ctx>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<mc, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_batch_end<mc, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_end<mc, ctx>);
  STATIC_REQUIRE(std::is_same_v<mc::needs, cue::needs<cue::capability::save_file>>);
}

TEST_CASE("model_checkpoint's defaults are Keras's") {
  const cue::model_checkpoint_options o;
  CHECK(o.verbose == 0);
  CHECK_FALSE(o.save_best_only);
  CHECK_FALSE(o.save_weights_only);
  CHECK(o.mode == cue::mode::automatic);
  CHECK(o.save_freq.per_epoch);
  CHECK_FALSE(o.initial_value_threshold);
  CHECK(o.save_top_k == -1);
}

TEST_CASE("through fit: best-only saves with formatted names, written whole") {
  const auto dir = fresh_dir("best");
  scripted_learner learner{.val_loss = {0.9, 0.7, 0.8, 0.5}};
  cue::model_checkpoint<"val_loss"> mc(
      {.filepath = (dir / "m-{epoch:02d}-{val_loss:.2f}.bin").string(), .save_best_only = true});
  cue::fit(learner, one_batch, one_batch, {.epochs = 4}, mc);
  CHECK(files_in(dir) == std::set<std::string>{"m-01-0.90.bin", "m-02-0.70.bin", "m-04-0.50.bin"});
  CHECK(read(dir / "m-04-0.50.bin") == "model 3");
  CHECK(mc.best() == 0.5);
  CHECK(mc.save_count() == 3);
  fs::remove_all(dir);
}

TEST_CASE("a filepath given as a template argument: its placeholders are checked at compile time") {
  using checked = cue::model_checkpoint<"val_loss", "m-{epoch:02d}-{val_loss:.2f}.bin">;
  STATIC_REQUIRE(std::is_same_v<checked::formatted, cue::names<"epoch", "val_loss">>);
  STATIC_REQUIRE(std::is_same_v<cue::model_checkpoint<"val_loss">::formatted, cue::names<>>);
  using group = cue::callbacks<checked>;
  using epoch_logs = cue::logs<"loss", "val_loss">;
  STATIC_REQUIRE(cue::detail::requirements<group, scripted_learner, epoch_logs>::met);
  STATIC_REQUIRE_FALSE(cue::detail::requirements<group, scripted_learner, cue::logs<"loss">>::met);

  const auto cwd = fs::current_path();
  const auto dir = fresh_dir("template-path");
  fs::create_directories(dir);
  fs::current_path(dir);
  scripted_learner learner{.val_loss = {0.9, 0.7}};
  checked mc;  // no options needed
  CHECK(mc.config().filepath == "m-{epoch:02d}-{val_loss:.2f}.bin");
  cue::fit(learner, one_batch, one_batch, {.epochs = 2}, mc);
  CHECK(files_in(dir) == std::set<std::string>{"m-01-0.90.bin", "m-02-0.70.bin"});
  fs::current_path(cwd);
  CHECK_THROWS_WITH(checked({.filepath = "other.bin"}),
                    "cue: model_checkpoint: the filepath is given twice, \"m-{epoch:02d}-{val_loss:.2f}.bin\" "
                    "as a template argument and \"other.bin\" in the options; give it once");
  fs::remove_all(dir);
}

TEST_CASE("save_weights_only calls save_weights") {
  const auto dir = fresh_dir("weights");
  scripted_learner learner{.val_loss = {0.9}};
  cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "w.bin").string(), .save_weights_only = true});
  cue::fit(learner, one_batch, one_batch, {.epochs = 1}, mc);
  CHECK(read(dir / "w.bin") == "weights 0");
  fs::remove_all(dir);
}

TEST_CASE("a placeholder that names nothing fails before the first batch, listing the names") {
  const auto dir = fresh_dir("typo");
  scripted_learner learner{.val_loss = {0.9}};
  cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "m-{val_los:.2f}.bin").string()});
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, one_batch, {.epochs = 1}, mc),
                    Catch::Contains("names 'val_los'") &&
                        Catch::Contains("placeholders can name: epoch, loss, val_loss, learning_rate"));
  CHECK(learner.weights == -1);  // nothing trained
  cue::model_checkpoint<"val_loss"> batch_name({.filepath = (dir / "m-{batch}.bin").string()});
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, one_batch, {.epochs = 1}, batch_name),
                    Catch::Contains("names 'batch'"));  // {batch} needs batch-level saves
  fs::remove_all(dir);
}

TEST_CASE("save_freq in batches counts across epochs and names {batch}") {
  const auto dir = fresh_dir("batches");
  scripted_learner learner;
  const std::vector<batch> two_batches{{1.0}, {1.0}};  // three epochs of two: saves at batch 3, 6
  cue::model_checkpoint<"loss"> mc(
      {.filepath = (dir / "b-{epoch}-{batch}.bin").string(), .save_freq = 3});
  cue::fit(learner, two_batches, {.epochs = 3}, mc);
  CHECK(files_in(dir) == std::set<std::string>{"b-2-1.bin", "b-3-2.bin"});
  fs::remove_all(dir);
}

TEST_CASE("save_top_k keeps the k best files by the metric") {
  const auto dir = fresh_dir("topk");
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7, 0.6, 0.8}};
  cue::model_checkpoint<"val_loss"> mc(
      {.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 2});
  cue::fit(learner, one_batch, one_batch, {.epochs = 5}, mc);
  CHECK(files_in(dir) == std::set<std::string>{"m-2.bin", "m-4.bin"});
  CHECK(mc.best_k().size() == 2);
  fs::remove_all(dir);
}

TEST_CASE("every file written is announced once complete, and every file evicted") {
  const auto dir = fresh_dir("events");
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7, 0.6, 0.8}};
  cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 2});
  cue_test::event_log<cue::checkpoint_saved, cue::checkpoint_removed> log;
  log.when<cue::checkpoint_saved>([](const cue::checkpoint_saved& saved) {  // in place when announced
    CHECK(read(saved.path).starts_with("model "));
  });
  log.when<cue::checkpoint_removed>([](const cue::checkpoint_removed& removed) {  // gone when announced
    CHECK_FALSE(fs::exists(removed.path));
  });
  cue::fit(learner, one_batch, one_batch, {.epochs = 5}, mc, log);
  const auto& saved = log.of<cue::checkpoint_saved>();
  REQUIRE(saved.size() == 4);  // epoch 5 (0.8) does not earn a place
  std::vector<int> epochs;
  std::vector<double> scores;
  std::vector<bool> best;
  for (const auto& s : saved) {
    epochs.push_back(s.epoch);
    scores.push_back(s.score.value());
    best.push_back(s.best);
    CHECK(s.monitor == "val_loss");
    CHECK(s.step == static_cast<std::size_t>(s.epoch) + 1);  // one batch per epoch
  }
  CHECK(epochs == std::vector<int>{0, 1, 2, 3});  // 0-based, as ctx.epoch()
  CHECK(scores == std::vector<double>{0.9, 0.5, 0.7, 0.6});
  CHECK(best == std::vector<bool>{true, true, false, false});
  CHECK(saved[1].path == (dir / "m-2.bin").string());
  const auto& removed = log.of<cue::checkpoint_removed>();
  REQUIRE(removed.size() == 2);
  CHECK(removed[0].path == (dir / "m-1.bin").string());  // when m-3 (0.7) came in
  CHECK(removed[1].path == (dir / "m-3.bin").string());  // when m-4 (0.6) came in
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint made without a measured monitor has no score and is not the best") {
  const auto dir = fresh_dir("events-noscore");
  scripted_learner learner{.val_loss = {0.4, 0.3}};
  cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "m-{epoch}.bin").string()});
  cue_test::event_log<cue::checkpoint_saved> log;
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .validation_freq = 2}, mc, log);
  const auto& saved = log.of<cue::checkpoint_saved>();
  REQUIRE(saved.size() == 2);
  CHECK_FALSE(saved[0].score.has_value());  // epoch 0 did not validate
  CHECK_FALSE(saved[0].best);
  fs::remove_all(dir);
}

TEST_CASE("invalid options are rejected at construction") {
  CHECK_THROWS_WITH(cue::model_checkpoint<"val_loss">({}), "cue: model_checkpoint: filepath is empty");
  CHECK_THROWS_AS(cue::model_checkpoint<"val_loss">({.filepath = "m.bin", .save_freq = -5}),
                  std::invalid_argument);
  CHECK_THROWS_AS(cue::model_checkpoint<"val_loss">({.filepath = "m-{epoch.bin"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(cue::model_checkpoint<"val_loss">({.filepath = "m.bin", .save_top_k = -2}),
                  std::invalid_argument);
}

TEST_CASE("verbose: Keras's messages for each save, each improvement and each non-improvement") {
  const auto dir = fresh_dir("verbose");
  const auto path = (dir / "m.bin").string();
  scripted_learner learner{.val_loss = {0.9, 0.7, 0.8}};
  cue_test::captured_stdout out;
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = path, .verbose = 1, .save_best_only = true}));
  CHECK(out.str() == "\nEpoch 1: val_loss improved from None to 0.90000, saving model to " + path + "\n"
                     "\nEpoch 1: finished saving model to " + path + "\n"
                     "\nEpoch 2: val_loss improved from 0.90000 to 0.70000, saving model to " + path + "\n"
                     "\nEpoch 2: finished saving model to " + path + "\n"
                     "\nEpoch 3: val_loss did not improve from 0.70000\n");
  scripted_learner other{.val_loss = {0.9}};
  cue_test::captured_stdout every;
  cue::fit(other, one_batch, one_batch, {.epochs = 1, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = path, .verbose = 1}));
  CHECK(every.str() == "\nEpoch 1: saving model to " + path + "\n"
                       "\nEpoch 1: finished saving model to " + path + "\n");
  fs::remove_all(dir);
}
