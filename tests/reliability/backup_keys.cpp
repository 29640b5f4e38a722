// backup_and_restore's tracked states: filed under stable keys, any snapshot type, a staging
// directory no other process can share.
#include <cue/callbacks/backup_and_restore.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/run_events.hpp>

#include <cue/adapters/every_n_epochs.hpp>
#include <cue/adapters/guarded.hpp>
#include <cue/adapters/in_background.hpp>
#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>
#include <cue/fit.hpp>
#include <cue/io/archive.hpp>

#include "../support.hpp"

namespace fs = std::filesystem;

namespace {
// One batch an epoch; its weights are a count of the batches trained, its snapshot an int (not
// cue::nn's float arrays), and the epoch's loss comes from a script.
struct counting_learner {
  std::vector<double> losses;
  int weights = 0;
  cue::logs<"loss"> train_step(const cue_test::batch&) { return {losses.at(static_cast<std::size_t>(weights++))}; }
  [[nodiscard]] int state() const { return weights; }
  void load_state(int w) { weights = w; }
  void save(const fs::path& p) const { std::ofstream(p) << weights; }
  void load(const fs::path& p) { std::ifstream(p) >> weights; }
};
struct crash_at {
  int epoch;
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == epoch) throw std::runtime_error("power cut");
  }
};
const std::vector<cue_test::batch> one_batch{{1.0}};
const std::vector<double> losses{5, 1, 4, 4, 4, 4};  // best after epoch 1, when weights are 2

// A run of 6 epochs with early stopping restoring its best weights, backed up every epoch.
int train(const fs::path& dir, int crash) {
  counting_learner learner{losses};
  cue::early_stopping<"loss"> es({.patience = 10, .restore_best_weights = true});
  cue::fit(learner, one_batch, {.epochs = 6}, es, cue::backup_and_restore({.backup_dir = dir.string()}, es),
           crash_at{crash});
  return learner.weights;
}

fs::path fresh(const char* name) {
  auto d = fs::temp_directory_path() / name;
  fs::remove_all(d);
  return d;
}

// A user's stateful callback, with its own key.
struct user_counter {
  int count = 0;
  void on_epoch_end(auto&) { ++count; }
  [[nodiscard]] static std::string state_key() { return "user_counter"; }
  [[nodiscard]] cue::state_dict state_dict() const { return {{"count", std::to_string(count)}}; }
  void load_state_dict(const cue::state_dict& d) { count = std::stoi(d.at("count")); }
};
}  // namespace

TEST_CASE("early stopping's best weights of any snapshot type survive a resume") {
  const auto dir = fresh("cue-backup-snapshot");
  CHECK(train(dir, -1) == 2);                  // uninterrupted: restored to the best epoch's
  CHECK_THROWS_WITH(train(dir, 3), "power cut");  // backed up at epoch 3's end, then killed
  CHECK(train(dir, -1) == 2);                  // resumed at epoch 4: the best weights came along
  fs::remove_all(dir);
}

TEST_CASE("a snapshot type without a codec is an error at the first backup, naming the fix") {
  struct opaque {
    int w;
  };
  struct opaque_learner : counting_learner {
    [[nodiscard]] opaque state() const { return {weights}; }
    void load_state(opaque o) { weights = o.w; }
  };
  const auto dir = fresh("cue-backup-opaque");
  opaque_learner learner{{losses}};
  cue::early_stopping<"loss"> es({.restore_best_weights = true});
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 2}, es,
                             cue::backup_and_restore({.backup_dir = dir.string()}, es)),
                    Catch::Contains("specialize it for the type the learner's state() returns"));
  fs::remove_all(dir);
}

TEST_CASE("tracked states are filed under their keys; two of one kind are told apart") {
  const auto dir = fresh("cue-backup-keys");
  counting_learner learner{losses};
  cue::early_stopping<"loss"> a({.patience = 10}), b({.patience = 10});
  cue::reduce_lr_on_plateau<"loss"> rl;
  user_counter counter;
  cue::backup_and_restore backup({.backup_dir = dir.string(), .delete_checkpoint = false}, a, b, counter);
  cue::fit(learner, one_batch, {.epochs = 2}, a, b, counter, backup);
  const auto d = cue::io::load_archive(dir / "current" / "state.npz", "backup").values;
  CHECK(d.at("tracked") == "early_stopping[loss] early_stopping[loss]#2 user_counter");
  CHECK(d.at("layout") == "2");
  CHECK(d.at("user_counter.count") == "2");
  CHECK(d.contains("early_stopping[loss]#2.wait"));
  STATIC_REQUIRE(cue::has_state_key<cue::reduce_lr_on_plateau<"loss">>);
  CHECK(rl.state_key() == "reduce_lr_on_plateau[loss]");

  SECTION("another order of the same objects resumes; other objects are named") {
    user_counter again;
    cue::early_stopping<"loss"> c({.patience = 10}), e({.patience = 10});
    counting_learner resumed{losses};
    cue::fit(resumed, one_batch, {.epochs = 3}, again, c, e,
             cue::backup_and_restore({.backup_dir = dir.string(), .delete_checkpoint = false}, again, c, e));
    CHECK(again.count == 3);  // 2 restored, then epoch 2
    cue::early_stopping<"loss"> only;
    CHECK_THROWS_WITH(cue::fit(resumed, one_batch, {.epochs = 4}, only,
                               cue::backup_and_restore({.backup_dir = dir.string()}, only)),
                      Catch::Contains("tracks [user_counter early_stopping[loss] early_stopping[loss]#2] "
                                      "and this run tracks [early_stopping[loss]]"));
  }
  fs::remove_all(dir);
}

TEST_CASE("each backup is announced once durable, with where a resume would start") {
  const auto dir = fresh("cue-backup-events");
  counting_learner learner{losses};
  cue_test::event_log<cue::backup_saved> log;
  log.when<cue::backup_saved>([](const cue::backup_saved& e) { CHECK(fs::exists(fs::path(e.path) / "state.npz")); });
  std::vector<cue_test::batch> three{{1}, {2}, {3}};
  cue::fit(learner, three, {.epochs = 2},
           cue::backup_and_restore({.backup_dir = dir.string(), .save_freq = 2, .delete_checkpoint = false}), log);
  const auto& saved = log.of<cue::backup_saved>();
  REQUIRE(saved.size() == 3);  // after batches 2, 4 and 6 of the fit
  CHECK(saved[0].path == (dir / "current").string());
  CHECK((saved[0].epoch == 0 && saved[0].batch == 2));
  CHECK((saved[1].epoch == 1 && saved[1].batch == 1));
  CHECK((saved[2].epoch == 1 && saved[2].batch == 3));
  fs::remove_all(dir);
}

TEST_CASE("it finds the fit's stateful callbacks by itself, inside groups and adapters, each once") {
  const auto dir = fresh("cue-backup-found");
  counting_learner learner{losses};
  cue::early_stopping<"loss"> a({.patience = 10}), b({.patience = 10});
  user_counter counter, outside;
  cue::fit(learner, one_batch, {.epochs = 2}, cue::callbacks{a, cue::every_n_epochs<2>(b)}, cue::guarded(counter),
           cue::backup_and_restore({.backup_dir = dir.string(), .delete_checkpoint = false}, a, outside));
  const auto d = cue::io::load_archive(dir / "current" / "state.npz", "backup").values;
  // `a`, listed and found, is saved once; `outside`, not in the fit, because it is listed.
  CHECK(d.at("tracked") == "early_stopping[loss] early_stopping[loss]#2 user_counter user_counter#2");
  CHECK(d.at("user_counter.count") == "2");
  CHECK(d.at("user_counter#2.count") == "0");
  fs::remove_all(dir);
}

TEST_CASE("a callback in in_background is not saved: it runs on the worker") {
  const auto dir = fresh("cue-backup-background");
  counting_learner learner{losses};
  user_counter counter;
  cue::fit(learner, one_batch, {.epochs = 1}, cue::in_background(counter),
           cue::backup_and_restore({.backup_dir = dir.string(), .delete_checkpoint = false}));
  CHECK(cue::io::load_archive(dir / "current" / "state.npz", "backup").values.at("tracked").empty());
  fs::remove_all(dir);
}

TEST_CASE("a backup of the type-name layout is refused with the reason") {
  const auto dir = fresh("cue-backup-layout-1");
  cue::io::save_archive(dir / "current" / "state.npz",
                        {"backup", {{"tracked", "1"}, {"t0.type", "cue::early_stopping<...>"}}, {}});
  cue::early_stopping<"loss"> es;
  counting_learner learner{losses};
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 1}, es, cue::backup_and_restore({.backup_dir = dir.string()}, es)),
                    Catch::Contains("was written by another version of cue (backup layout 1, this cue reads layout 2)"));
  fs::remove_all(dir);
}

TEST_CASE("a backup is staged in a directory of its own, never one named by a process id") {
  const auto dir = fresh("cue-backup-staging");
  // What another host's process with this pid could be writing on a shared file system.
  const auto other = dir / ("incoming-" + std::to_string(::getpid()));
  fs::create_directories(other);
  std::ofstream(other / "learner.npz") << "theirs";
  counting_learner learner{losses};
  cue::early_stopping<"loss"> es;
  cue::fit(learner, one_batch, {.epochs = 2}, es,
           cue::backup_and_restore({.backup_dir = dir.string(), .delete_checkpoint = false}, es));
  CHECK(fs::exists(other / "learner.npz"));
  CHECK(fs::exists(dir / "current" / "state.npz"));
  fs::remove_all(dir);
}

TEST_CASE("state keys must be plain names") {
  struct dotted : user_counter {
    [[nodiscard]] static std::string state_key() { return "my.counter"; }
  };
  dotted d;
  CHECK_THROWS_WITH(cue::backup_and_restore({.backup_dir = "unused"}, d),
                    Catch::Contains("the state key 'my.counter' is empty or has a '.'"));
}
