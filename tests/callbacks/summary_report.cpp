#include <cue/callbacks/summary_report.hpp>

#include <filesystem>
#include <limits>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/config.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;
namespace fs = std::filesystem;

namespace {
const std::vector<batch> one_batch{{1.0}};

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("cue-summary-" + name);
  fs::remove_all(dir);
  return dir;
}
std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
nlohmann::json read_json(const fs::path& p) { return nlohmann::json::parse(read(p)); }

// Throws in the epoch given.
struct fail_at {
  int epoch;
  void on_epoch_begin(auto& ctx) {
    if (ctx.epoch() == epoch) throw std::invalid_argument("the data ran dry");
  }
};
}  // namespace

TEST_CASE("a run that trains every planned epoch: status, finals, bests and checkpoints") {
  const auto dir = fresh_dir("success");
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7}};
  cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "m-{epoch}.bin").string(), .save_best_only = true});
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, mc,
           cue::summary_report({.directory = dir.string()}));
  const auto j = read_json(dir / "summary.json");
  CHECK(j["status"] == "success");
  CHECK(j["stop_reason"] == "not_stopped");
  CHECK(j["stop_message"] == "");
  CHECK(j["epochs_run"] == 3);
  CHECK(j["epochs_planned"] == 3);
  CHECK(j["resumed_from"].is_null());
  CHECK(j["duration_s"].get<double>() >= 0);
  CHECK(j["final"]["val_loss"]["value"] == 0.7);
  CHECK(j["final"]["val_loss"]["epoch"] == 2);
  CHECK(j["best"]["val_loss"]["value"] == 0.5);
  CHECK(j["best"]["val_loss"]["epoch"] == 1);
  CHECK(j["final"].contains("learning_rate"));
  CHECK_FALSE(j["best"].contains("learning_rate"));  // no direction
  CHECK(j["error"].is_null());
  REQUIRE(j["checkpoints"].size() == 2);  // best only: epochs 0 and 1
  CHECK(j["checkpoints"][1]["path"] == (dir / "m-2.bin").string());
  CHECK(j["checkpoints"][1]["epoch"] == 1);
  CHECK(j["checkpoints"][1]["score"] == 0.5);
  CHECK(j["checkpoints"][1]["best"] == true);
  const auto md = read(dir / "summary.md");
  CHECK_THAT(md, Catch::Contains("| status | success |"));
  CHECK_THAT(md, Catch::Contains("| 2 | 1.0000 | 0.5000 | 0.1000 |"));  // epoch 2 (1-based): loss, val_loss, learning_rate
  CHECK_THAT(md, Catch::Contains("| val_loss | 0.5000 | 2 |"));
  CHECK_THAT(md, !Catch::Contains("curves"));  // no curves file: no dead link
  // The monitored metric (the checkpoint's) ended above its best: said, with how far.
  const auto& mon = j["monitored"];
  CHECK(mon["metric"] == "val_loss");
  CHECK(mon["mode"] == "min");
  CHECK(mon["final"]["value"] == 0.7);
  CHECK(mon["final"]["epoch"] == 2);
  CHECK(mon["best"]["value"] == 0.5);
  CHECK(mon["best"]["epoch"] == 1);
  CHECK(mon["at_best"] == false);
  CHECK(mon["from_best"].get<double>() == Approx(0.2));
  CHECK_THAT(md, Catch::Contains("| val_loss | ended at 0.7000 (epoch 3), 0.2000 above its best, 0.5000 at epoch 2 |"));
  fs::remove_all(dir);
}

TEST_CASE("a stopped run says why, in the words of the callback that stopped it") {
  const auto dir = fresh_dir("stopped");
  scripted_learner learner{.val_loss = {0.5, 0.6, 0.7, 0.8}};
  std::ofstream((fs::create_directories(dir), dir / "curves.svg")) << "<svg/>";
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0},
           cue::early_stopping<"val_loss">({.patience = 2}), cue::summary_report({.directory = dir.string()}));
  const auto j = read_json(dir / "summary.json");
  CHECK(j["status"] == "stopped");
  CHECK(j["stop_reason"] == "patience_exhausted");
  CHECK(j["stop_message"] ==
        "Monitored metric val_loss did not improve in the last 2 records. Best score: 0.500. Signaling Trainer to stop.");
  CHECK(j["epochs_run"] == 3);
  CHECK(j["epochs_planned"] == 4);
  CHECK(j["checkpoints"].empty());  // no checkpoint callback: none, and it compiles (optional)
  const auto md = read(dir / "summary.md");
  CHECK_THAT(md, Catch::Contains("| stopped because | patience_exhausted: Monitored metric val_loss"));
  CHECK_THAT(md, Catch::Contains("![training curves](curves.svg)"));
  fs::remove_all(dir);
}

TEST_CASE("a failing run still writes its summary, with the exception's type and message") {
  const auto dir = fresh_dir("failed");
  scripted_learner learner{.val_loss = {0.5, 0.6, 0.7}};
  CHECK_THROWS_AS(cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, fail_at{2},
                           cue::summary_report({.directory = dir.string()})),
                  std::invalid_argument);  // the run's own exception, not the summary's
  const auto j = read_json(dir / "summary.json");
  CHECK(j["status"] == "failed");
  CHECK(j["epochs_run"] == 2);
  CHECK(j["error"]["type"] == "std::invalid_argument");
  CHECK(j["error"]["message"] == "the data ran dry");
  CHECK_THAT(read(dir / "summary.md"), Catch::Contains("| error | std::invalid_argument: the data ran dry |"));
  fs::remove_all(dir);
}

TEST_CASE("a resumed run counts the epochs before it, and says where it resumed") {
  const auto dir = fresh_dir("resumed");
  scripted_learner learner{.val_loss = {0.5, 0.4}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 5, .initial_epoch = 3, .verbose = 0},
           cue::summary_report({.directory = dir.string()}));
  const auto j = read_json(dir / "summary.json");
  CHECK(j["status"] == "success");
  CHECK(j["epochs_run"] == 5);
  CHECK(j["resumed_from"] == 3);
  CHECK(j["final"]["val_loss"]["epoch"] == 4);
  CHECK_THAT(read(dir / "summary.md"), Catch::Contains("| epochs | 5 of 5 (resumed at epoch 4) |"));
  fs::remove_all(dir);
}

TEST_CASE("a run resumed by backup_and_restore gets a summary of the whole run") {
  const auto dir = fresh_dir("backed-up");
  const auto backup = (dir / "backup").string();
  {
    scripted_learner learner{.val_loss = {0.9, 0.5, 0.7, 0.6}};
    cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "m-{epoch}.bin").string(), .save_best_only = true});
    CHECK_THROWS(cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0}, mc,
                          cue::summary_report({.directory = dir.string()}), cue::backup_and_restore({.backup_dir = backup}),
                          fail_at{2}));
  }
  CHECK(read_json(dir / "summary.json")["status"] == "failed");
  scripted_learner learner{.val_loss = {0.4, 0.8}};  // epochs 2 and 3 of the run
  cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "m-{epoch}.bin").string(), .save_best_only = true});
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0}, mc, cue::summary_report({.directory = dir.string()}),
           cue::backup_and_restore({.backup_dir = backup}));
  const auto j = read_json(dir / "summary.json");
  CHECK(j["status"] == "success");
  CHECK(j["epochs_run"] == 4);
  CHECK(j["resumed_from"] == 2);
  CHECK(j["best"]["val_loss"]["value"] == 0.4);
  CHECK(j["best"]["val_loss"]["epoch"] == 2);
  REQUIRE(j["checkpoints"].size() == 3);  // epochs 0 and 1 before the crash, 2 after
  CHECK(j["checkpoints"][0]["epoch"] == 0);
  CHECK(j["checkpoints"][2]["epoch"] == 2);
  const auto md = read(dir / "summary.md");
  CHECK_THAT(md, Catch::Contains("| 1 | 1.0000 | 0.9000 |"));  // the first epoch, from before the resume
  fs::remove_all(dir);
}

TEST_CASE("values not measured are left out: val_* of epochs without validation") {
  const auto dir = fresh_dir("unmeasured");
  scripted_learner learner{.val_loss = {0.5, 0.4, 0.3}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .validation_freq = 2, .verbose = 0},
           cue::summary_report({.directory = dir.string()}));
  const auto j = read_json(dir / "summary.json");
  CHECK(j["final"]["val_loss"]["epoch"] == 1);  // epoch 2 (0-based) did not validate
  CHECK(j["best"]["val_loss"]["value"] == 0.4);
  CHECK_THAT(read(dir / "summary.md"), Catch::Contains("| 1 | 1.0000 |  | 0.1000 |"));
  fs::remove_all(dir);
}

TEST_CASE("a metric that ends at its best says so; one that improves upwards is compared downwards") {
  const auto dir = fresh_dir("at-best");
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.4}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, cue::summary_report({.directory = dir.string()}));
  auto j = read_json(dir / "summary.json");
  CHECK(j["monitored"]["metric"] == "val_loss");  // no checkpoint: val_loss
  CHECK(j["monitored"]["at_best"] == true);
  CHECK(j["monitored"]["from_best"] == 0.0);
  CHECK_THAT(read(dir / "summary.md"), Catch::Contains("| val_loss | ended at its best, 0.4000 at epoch 3 |"));
  scripted_learner tied{.val_loss = {0.9, 0.4, 0.4}};  // the first epoch of a tie is the best
  cue::fit(tied, one_batch, one_batch, {.epochs = 3, .verbose = 0}, cue::summary_report({.directory = dir.string()}));
  CHECK_THAT(read(dir / "summary.md"), Catch::Contains("| val_loss | ended at its best, 0.4000 at epoch 2 and again at epoch 3 |"));

  struct accuracy_learner {
    std::vector<double> accuracy;
    std::size_t at = 0;
    cue::logs<"loss", "accuracy"> train_step(const batch&) { return {1.0, accuracy.at(at++)}; }
    void save(const fs::path& p) const { std::ofstream(p) << at; }
    void load(const fs::path&) {}
  } upwards{{0.5, 0.9, 0.6}};
  cue::model_checkpoint<"accuracy"> mc({.filepath = (dir / "m.bin").string(), .save_best_only = true});
  cue::fit(upwards, one_batch, {.epochs = 3, .verbose = 0}, mc, cue::summary_report({.directory = dir.string()}));
  j = read_json(dir / "summary.json");
  CHECK(j["monitored"]["metric"] == "accuracy");  // the checkpoint's
  CHECK(j["monitored"]["mode"] == "max");
  CHECK(j["monitored"]["from_best"].get<double>() == Approx(0.3));
  CHECK_THAT(read(dir / "summary.md"), Catch::Contains("| accuracy | ended at 0.6000 (epoch 3), 0.3000 below its best, 0.9000 at epoch 2 |"));
  fs::remove_all(dir);
}

TEST_CASE("a NaN reads nan, an unmeasured value is an empty cell, and a metric that ended NaN ended NaN") {
  const auto dir = fresh_dir("nan");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  scripted_learner learner{.val_loss = {0.5, 0.4, nan, nan}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .validation_freq = 2, .verbose = 0},
           cue::summary_report({.directory = dir.string()}));
  const auto j = read_json(dir / "summary.json");
  CHECK(j["final"]["val_loss"]["value"].is_null());  // epoch 3 (0-based) measured NaN
  CHECK(j["final"]["val_loss"]["epoch"] == 3);
  CHECK(j["best"]["val_loss"]["value"] == 0.4);
  CHECK(j["monitored"]["at_best"] == false);
  CHECK(j["monitored"]["from_best"].is_null());
  const auto md = read(dir / "summary.md");
  CHECK_THAT(md, Catch::Contains("| 3 | 1.0000 |  | 0.1000 |"));     // epoch 3 did not validate
  CHECK_THAT(md, Catch::Contains("| 4 | 1.0000 | nan | 0.1000 |"));  // epoch 4 validated: NaN
  CHECK_THAT(md, Catch::Contains("| val_loss | ended at nan (epoch 4), its best 0.4000 at epoch 2 |"));
  fs::remove_all(dir);
}

TEST_CASE("summary_report's options are checked and readable from JSON") {
  CHECK_THROWS_WITH(cue::summary_report({.directory = ""}), Catch::Contains("directory is empty"));
  const auto o = cue::options_from_json<cue::summary_report_options>(
      nlohmann::json{{"directory", "out"}, {"curves", ""}});
  CHECK(o.directory == "out");
  CHECK(o.curves.empty());
  CHECK_THROWS_WITH(cue::options_from_json<cue::summary_report_options>(nlohmann::json{{"dir", "out"}}),
                    Catch::Contains("unknown option 'dir' for summary_report_options; known options: directory, curves"));
}
