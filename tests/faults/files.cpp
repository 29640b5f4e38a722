// Files under real faults: planted symlinks, what a dead run left, what a live one is writing, a
// user's files beside cue's, numbers that are not finite, paths and messages that are not UTF-8.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/checkpoint_registry.hpp>
#include <cue/callbacks/lambda_callback.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/callbacks/tensorboard.hpp>
#include <cue/callbacks/training_curves.hpp>
#include <cue/fit.hpp>
#include <cue/io/atomic_file.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;
namespace fs = std::filesystem;

namespace {
const std::vector<batch> one_batch{{1.0}};

using cue_test::read_file;
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}
bool any_temporary_in(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().starts_with(cue::io::temporary_prefix)) return true;
  return false;
}

// A learner whose weights go NaN at the second epoch, as a diverging run's do.
struct diverging_learner : scripted_learner {
  std::vector<float> kernel{0.5f, -0.25f, 1.0f, 2.0f};
  std::vector<std::pair<std::string, std::span<const float>>> named_weights() const { return {{"dense/kernel", kernel}}; }
  cue::logs<"loss"> train_step(const batch& b) {
    if (weights >= 0) kernel[1] = std::numeric_limits<float>::quiet_NaN(), kernel[2] = std::numeric_limits<float>::infinity();
    return scripted_learner::train_step(b);
  }
};
}  // namespace

TEST_CASE("symlinks planted at the temporary names a writer once used are never followed") {
  const auto dir = cue_test::fresh_dir("faults-symlink");
  const auto victim = dir / "victim.txt";
  std::ofstream(victim) << "precious";
  // The names the writers used before: `.<name>.tmp-<pid>-<n>` and `<name>.tmp-<pid>-<n>`.
  for (const std::string name : {"summary.json", "summary.md", "m-1.bin", "curves.svg"})
    for (int n = 0; n < 4; ++n) {
      std::string suffix = ".tmp-";
      suffix += std::to_string(::getpid());
      suffix += '-';
      suffix += std::to_string(n);
      fs::create_symlink(victim, dir / ("." + name + suffix));
      fs::create_symlink(victim, dir / (name + suffix));
    }
  scripted_learner learner{.val_loss = {0.5}};
  std::ostringstream log;
  cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string()}),
           cue::training_curves({.path = (dir / "curves.svg").string()}),
           cue::summary_report({.directory = dir.string(), .log = &log}));
  CHECK(read_file(victim) == "precious");
  CHECK(fs::is_regular_file(fs::symlink_status(dir / "summary.json")));
  // A symlink at the very name written is replaced, never written through.
  fs::remove(dir / "summary.json");
  fs::create_symlink(victim, dir / "summary.json");
  CHECK_THROWS(cue::io::detail::write_file(dir / "summary.json", "x"));
  CHECK(read_file(victim) == "precious");
  fs::remove_all(dir);
}

TEST_CASE("backup_and_restore removes only what it wrote, never the user's files beside it") {
  const auto dir = cue_test::fresh_dir("faults-backup-own");
  std::ofstream(dir / "NOTES.txt") << "mine";
  std::ofstream(dir / "training.csv") << "epoch,loss\n";
  fs::create_directories(dir / "best");
  std::ofstream(dir / "best" / "model.bin") << "best";
  scripted_learner learner{.val_loss = {0.5, 0.4}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0},
           cue::backup_and_restore({.backup_dir = dir.string()}));
  // Before: the whole directory was removed after a successful run.
  CHECK(names_in(dir) == std::vector<std::string>{"NOTES.txt", "best", "training.csv"});
  CHECK(read_file(dir / "best" / "model.bin") == "best");
  fs::remove_all(dir);
}

TEST_CASE("what a dead run left is cleaned at the next train begin; what a live writer holds is not") {
  const auto dir = cue_test::fresh_dir("faults-leftovers");
  // A SIGKILLed run's staging directory (no one holds its lock), with a half-written backup in it.
  const fs::path dead = dir / (std::string(cue::io::temporary_prefix) + "dead01");
  fs::create_directories(dead);
  std::ofstream(dead / "learner.npz") << std::string(4096, 'x');
  // A live writer's (this process holds its lock, as another run's writer would).
  cue::io::temporary_directory live(dir);
  std::ofstream(live.path() / "learner.npz") << "being written";
  scripted_learner learner{.val_loss = {0.5, 0.4}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0},
           cue::backup_and_restore({.backup_dir = dir.string(), .delete_checkpoint = false}),
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string()}));
  CHECK_FALSE(fs::exists(dead));
  CHECK(read_file(live.path() / "learner.npz") == "being written");
  CHECK(fs::exists(dir / "m-2.bin"));
  fs::remove_all(dir);
}

TEST_CASE("a backup that failed on a full disk does not block the next run's backups") {
  const auto dir = cue_test::fresh_dir("faults-backup-leftover");
  const fs::path dead = dir / (std::string(cue::io::temporary_prefix) + "incoming");
  fs::create_directories(dead);
  std::ofstream(dead / "learner.npz") << "torn";
  scripted_learner learner{.val_loss = {0.5, 0.4}};
  CHECK_NOTHROW(cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0},
                         cue::backup_and_restore({.backup_dir = dir.string(), .delete_checkpoint = false})));
  CHECK(fs::exists(dir / "current" / "state.npz"));
  CHECK_FALSE(any_temporary_in(dir));
  fs::remove_all(dir);
}

TEST_CASE("tensorboard: a run directory it cannot make and a later callback that throws end cleanly") {
  // Under AddressSanitizer this was a heap-use-after-free: the worker failed to write, the fit
  // unwound through a later callback's exception, and the event files were freed while the
  // worker still used them. A file named `train` makes the run's directory impossible to create.
  const auto dir = cue_test::fresh_dir("faults-tb-unwritable");
  std::ofstream(dir / "train") << "in the way";
  std::ostringstream log;
  scripted_learner learner{.val_loss = {0.5, 0.4, 0.3}};
  cue::lambda_callback boom{cue::on_epoch_end([](auto& ctx) {
    if (ctx.epoch() == 1) throw std::runtime_error("boom");
  })};
  CHECK_THROWS(cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0},
                        cue::tensorboard({.log_dir = dir.string(), .log = &log}), boom));
  fs::remove_all(dir);
}

TEST_CASE("tensorboard: NaN and infinite weights are left out of the buckets and said once") {
  const auto dir = cue_test::fresh_dir("faults-tb-nan");
  std::ostringstream log;
  diverging_learner learner;
  learner.val_loss = {0.5, 0.4, 0.3};
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0},
           cue::tensorboard({.log_dir = dir.string(), .histogram_freq = 1, .log = &log}));
  // Before: the NaN became an index far outside the buckets and the writer crashed.
  const std::string said = log.str();
  CHECK(said.find("2 of the 4 values of dense/kernel/histogram at epoch 2 are not finite") != std::string::npos);
  CHECK(said.find("not finite") == said.rfind("not finite"));  // once
  fs::remove_all(dir);
}

TEST_CASE("training_curves: one value of 1e308 leaves every other point drawn, and is marked") {
  const auto dir = cue_test::fresh_dir("faults-curves");
  scripted_learner learner{.val_loss = {0.5, 1e308, -1e308, 0.25}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0},
           cue::training_curves({.path = (dir / "curves.svg").string()}));
  const std::string svg = read_file(dir / "curves.svg");
  // Before: every point of the line became -nan.
  INFO(svg);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  CHECK(svg.find("class=\"not-drawn") == std::string::npos);  // 1e308 is finite: drawn, scaled
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint path and an error message that are not UTF-8 still give valid JSON everywhere") {
  const auto dir = cue_test::fresh_dir("faults-utf8-files");
  const fs::path odd = dir / "r\xff" / "m-{epoch}.bin";
  std::ostringstream log;
  scripted_learner learner{.val_loss = {0.5, 0.4, 0.3}};
  cue::lambda_callback boom{cue::on_epoch_end([](auto& ctx) {
    if (ctx.epoch() == 2) throw std::runtime_error("caf\xe9 exploded");
  })};
  // Before: the registry's worker threw at epoch 2 ("invalid UTF-8 byte") and no line was written;
  // summary_report threw at the end and wrote no summary.json.
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0},
                             cue::model_checkpoint<"val_loss">({.filepath = odd.string()}),
                             cue::checkpoint_registry({.path = (dir / "registry.jsonl").string(), .log = &log}),
                             cue::summary_report({.directory = dir.string(), .log = &log}), boom),
                    "caf\xe9 exploded");
  std::ifstream registry(dir / "registry.jsonl");
  int lines = 0;
  for (std::string line; std::getline(registry, line); ++lines) {
    const auto j = nlohmann::json::parse(line);
    if (j["event"] == "checkpoint_saved") CHECK(j.contains("path_hex"));  // the exact bytes, kept
  }
  CHECK(lines >= 2);
  const auto summary = nlohmann::json::parse(read_file(dir / "summary.json"));
  CHECK(summary["error"]["message"] == "caf\xef\xbf\xbd exploded");
  CHECK(log.str().empty());
  fs::remove_all(dir);
}

namespace {
// Rewrites one value of a backup's state.npz (a valid archive, as someone who can write the
// backup directory could make it), the key found by its ending.
void tamper(const fs::path& state, const std::string& key_ending, const std::string& value) {
  auto a = cue::io::load_archive(state, "backup");
  bool found = false;
  for (auto& [k, v] : a.values)
    if (k.ends_with(key_ending)) v = value, found = true;
  REQUIRE(found);
  cue::io::save_archive(state, a);
}
template <class... Cs>
void fit_with_backup(const fs::path& dir, int epochs, Cs&&... cbs) {
  scripted_learner learner{.val_loss = {0.5, 0.4, 0.3, 0.2}};
  cue::fit(learner, one_batch, one_batch, {.epochs = epochs, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 1}),
           cue::backup_and_restore({.backup_dir = (dir / "backup").string(), .delete_checkpoint = false}), cbs...);
}
}  // namespace

TEST_CASE("a backup naming a file its callback would not write is refused, and the file stays") {
  const auto dir = cue_test::fresh_dir("faults-backup-names");
  const auto victim = dir / "victim.txt";
  std::ofstream(victim) << "precious";
  fit_with_backup(dir, 1);
  tamper(dir / "backup" / "current" / "state.npz", ".kept.0.path", victim.string());
  // Before: the resumed run's top-k eviction deleted the file the backup named.
  CHECK_THROWS_WITH(fit_with_backup(dir, 3), Catch::Contains("names '" + victim.string() + "'") &&
                                                  Catch::Contains("a backup may name only the callback's own files"));
  CHECK(read_file(victim) == "precious");
  fs::remove_all(dir);
}

TEST_CASE("a backup's counters are checked against their ranges on load") {
  const auto dir = cue_test::fresh_dir("faults-backup-ranges");
  fit_with_backup(dir, 1);
  tamper(dir / "backup" / "current" / "state.npz", "epoch", "-100000");
  // Before: accepted, and the run trained 100,000 extra epochs.
  CHECK_THROWS_WITH(fit_with_backup(dir, 3), Catch::Contains("'epoch' = '-100000'"));
  fs::remove_all(dir);
}
