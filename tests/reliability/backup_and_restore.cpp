#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/model_checkpoint.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/cue.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>
#include <cue/io/archive.hpp>
#include <xtensor/xview.hpp>

#include "../support.hpp"
#include "lifted_classes.hpp"

namespace fs = std::filesystem;

namespace {
const cue::data::dataset data = cue_test::lifted_classes(400, 8, 3, 0.4f);

struct crash_at {
  int epoch;
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == epoch) throw std::runtime_error("power cut");
  }
};

using cue_test::crash_at_batch;

// Sends this process SIGINT at the end of batch `batch` of epoch `epoch`, as Ctrl-C would;
// stop_on_signal, listed after it, turns that into a clean stop.
struct sigint_at {
  int epoch;
  std::size_t batch;
  void on_train_batch_end(auto& ctx) {
    if (ctx.epoch() == epoch && ctx.batch() == batch) std::raise(SIGINT);
  }
};

struct run {
  std::string digest;
  std::vector<double> loss;  // the epochs this fit ran
};

// How the run tells backup_and_restore what to save: nothing (it finds the fit's stateful callbacks
// and data), in a fit with fewer callbacks, or listed in another order.
enum class tracking { all, fewer, reordered };

// One run of the same training (400 examples, 25 batches an epoch); `crash` is a callback listed
// after the backup that throws at some moment.
template <class Crash = crash_at>
run train(const fs::path& backup_dir, Crash crash = {-1}, cue::save_frequency freq = cue::every_epoch,
          tracking tracked = tracking::all, bool double_checkpoint = false, std::size_t examples = 400,
          sigint_at signal = {-1, 0}) {
  std::mt19937_64 rng(7);
  cue::nn::sequential net{cue::nn::dense(8, 16, rng), cue::nn::relu{}, cue::nn::dense(16, 3, rng)};
  cue::nn::classifier model(std::move(net), cue::nn::adam({.learning_rate = 3e-3}));
  const cue::data::dataset part{xt::view(data.x, xt::range(0, examples), xt::all()),
                                xt::view(data.y, xt::range(0, examples))};
  cue::data::batches train_batches(part, {.batch_size = 16, .seed = 5});
  cue::early_stopping<"loss"> es({.patience = 3, .restore_best_weights = true});
  cue::reduce_lr_on_plateau<"loss"> rl({.factor = 0.5, .patience = 1});
  const cue::fit_options opts{.epochs = 12};
  const cue::backup_and_restore_options o{.backup_dir = backup_dir.string(), .save_freq = freq,
                                          .double_checkpoint = double_checkpoint};
  cue::history h;
  if (backup_dir.empty()) {
    h = cue::fit(model, train_batches, opts, es, rl);
  } else if (tracked == tracking::all) {  // nothing listed: it finds es, rl and the data itself
    h = cue::fit(model, train_batches, opts, es, rl, signal, cue::stop_on_signal{}, cue::backup_and_restore(o),
                 crash);
  } else if (tracked == tracking::fewer) {  // a fit without rl
    h = cue::fit(model, train_batches, opts, es, signal, cue::stop_on_signal{}, cue::backup_and_restore(o), crash);
  } else {  // listed, in another order: the same objects, each once
    h = cue::fit(model, train_batches, opts, es, rl, signal, cue::stop_on_signal{},
                 cue::backup_and_restore(o, rl, es, train_batches), crash);
  }
  return {model.weights_digest(), h["loss"]};
}

fs::path fresh(const char* name) {
  auto d = fs::temp_directory_path() / name;
  fs::remove_all(d);
  return d;
}

// The last n entries of v.
std::vector<double> tail(const std::vector<double>& v, std::size_t n) {
  return {v.end() - static_cast<std::ptrdiff_t>(std::min(n, v.size())), v.end()};
}
}  // namespace

TEST_CASE("a run that crashed resumes from its backup and ends bit for bit as one never interrupted") {
  const auto reference = train({});
  const auto dir = fresh("cue-backup-resume");
  CHECK_THROWS_WITH(train(dir, crash_at{4}), "power cut");
  CHECK(fs::exists(dir / "current" / "state.npz"));  // kept: the run did not end
  CHECK(cue::io::load_archive(dir / "current" / "state.npz", "backup").values.at("epoch") == "5");  // the next epoch to run
  CHECK_THROWS_WITH(train(dir, crash_at{9}), "power cut");  // resumed at epoch 5, crashed again
  const auto resumed = train(dir);                          // resumed at epoch 10, finished
  CHECK(resumed.digest == reference.digest);
  CHECK(resumed.loss == tail(reference.loss, resumed.loss.size()));
  CHECK_FALSE(fs::exists(dir));  // delete_checkpoint, as Keras
}

TEST_CASE("with backups every N batches, a run resumes inside an epoch, its logs exact too") {
  const auto reference = train({});
  const auto dir = fresh("cue-backup-batches");
  // Backups every 7 batches, counted across epochs (25 an epoch): the last before the crash at
  // epoch 3's batch index 20 (the run's 96th batch) is after the 91st, its 16th.
  CHECK_THROWS_WITH(train(dir, crash_at_batch{3, 20}, 7), "power cut");
  const auto saved = cue::io::load_archive(dir / "current" / "state.npz", "backup").values;
  CHECK(saved.at("epoch") == "3");
  CHECK(saved.at("batch") == "16");
  CHECK(saved.at("step") == "91");
  CHECK_THROWS_WITH(train(dir, crash_at_batch{6, 2}, 7), "power cut");
  const auto resumed = train(dir, crash_at{-1}, 7);
  CHECK(resumed.digest == reference.digest);
  // The epoch resumed after batch 16 reports the loss of the whole epoch, as if never broken.
  REQUIRE(resumed.loss.size() >= 6);
  CHECK(resumed.loss == tail(reference.loss, resumed.loss.size()));
}

TEST_CASE("a backup at an epoch's last batch resumes at its validation and end") {
  const auto reference = train({});
  const auto dir = fresh("cue-backup-last-batch");
  CHECK_THROWS_WITH(train(dir, crash_at{2}, 25), "power cut");  // backed up after batch 25 of epoch 2
  CHECK(cue::io::load_archive(dir / "current" / "state.npz").values.at("batch") == "25");
  const auto resumed = train(dir, crash_at{-1}, 25);
  CHECK(resumed.digest == reference.digest);
  CHECK(resumed.loss == tail(reference.loss, resumed.loss.size()));
}

TEST_CASE("Ctrl-C inside an epoch backs up at that batch, and the next run goes on from there") {
  const auto reference = train({});
  for (const cue::save_frequency freq : {cue::every_epoch, cue::save_frequency(7)}) {
    const auto dir = fresh("cue-backup-sigint");
    const auto stopped = train(dir, crash_at{-1}, freq, tracking::all, false, 400, sigint_at{4, 10});
    CHECK(stopped.loss.size() == 5);  // epochs 0-4, the last cut short (as Keras, it still ends)
    const auto saved = cue::io::load_archive(dir / "current" / "state.npz", "backup").values;
    CHECK(saved.at("epoch") == "4");  // not the partial epoch's end
    CHECK(saved.at("batch") == "11");
    CHECK(saved.at("stop") == "0");   // a signal's stop is not the run's
    const auto resumed = train(dir, crash_at{-1}, freq);
    CHECK(resumed.digest == reference.digest);
    CHECK(resumed.loss == tail(reference.loss, resumed.loss.size()));
  }
}

TEST_CASE("a damaged backup is an error naming it, and it is kept for repair") {
  const auto dir = fresh("cue-backup-corrupt");
  CHECK_THROWS(train(dir, crash_at{3}));
  const auto state = dir / "current" / "state.npz";
  const auto size = fs::file_size(state);
  {
    std::fstream f(state, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.put('#');
  }
  CHECK_THROWS_WITH(train(dir), Catch::Contains("no usable backup in " + dir.string()) &&
                                    Catch::Contains("checksum mismatch"));
  CHECK(fs::exists(state));
  CHECK(fs::file_size(state) == size);
  fs::remove_all(dir);
}

TEST_CASE("with double_checkpoint, a damaged newest backup falls back to the one before") {
  const auto reference = train({});
  const auto dir = fresh("cue-backup-double");
  CHECK_THROWS(train(dir, crash_at{5}, cue::every_epoch, tracking::all, true));
  REQUIRE(fs::exists(dir / "previous" / "state.npz"));  // kept after the new one was complete
  fs::resize_file(dir / "current" / "learner.npz", 100);  // cut short
  const auto resumed = train(dir, crash_at{-1}, cue::every_epoch, tracking::all, true);
  CHECK(resumed.digest == reference.digest);
  // The crash came after epoch 5's backup; the one before it resumes at epoch 5.
  CHECK(resumed.loss.size() == reference.loss.size() - 5);
}

TEST_CASE("resuming with other tracked objects or other data is explained, not misapplied") {
  const auto dir = fresh("cue-backup-mismatch");
  CHECK_THROWS(train(dir, crash_at{3}));
  CHECK_THROWS_WITH(train(dir, crash_at{-1}, cue::every_epoch, tracking::fewer),
                    "cue: backup_and_restore: the backup in " + (dir / "current").string() +
                        " tracks [early_stopping[loss] reduce_lr_on_plateau[loss] batches] and this "
                        "run tracks [early_stopping[loss] batches]; resume with the same callbacks "
                        "and data, or remove the backup");
  // Filed by key, the tracked objects may come in another order.
  CHECK(train(dir, crash_at{-1}, cue::every_epoch, tracking::reordered).digest == train({}).digest);
  fs::remove_all(dir);

  CHECK_THROWS(train(dir, crash_at_batch{1, 20}, 10));  // backed up inside epoch 1, after its 15th batch
  CHECK_THROWS_WITH(train(dir, crash_at{-1}, 10, tracking::all, false, 160),
                    "cue: resuming epoch 1 after batch 15, but the training data has only 10 batches "
                    "per epoch; resume with the same data");
  CHECK(fs::exists(dir / "current" / "state.npz"));
  fs::remove_all(dir);
}

TEST_CASE("fit shows the epoch's sums only to a group that reads them") {
  using backup = cue::backup_and_restore<cue::data::batches>;
  STATIC_REQUIRE(cue::detail::reads_running_sums<cue::callbacks<cue::history&, backup>>);
  STATIC_REQUIRE(cue::detail::reads_running_sums<cue::callbacks<cue::callbacks<cue::guarded<backup>>>>);
  STATIC_REQUIRE_FALSE(cue::detail::reads_running_sums<cue::callbacks<cue::history, cue::progbar_logger>>);
}

TEST_CASE("stateful callbacks save and restore their state") {
  STATIC_REQUIRE(cue::stateful<cue::early_stopping<"val_loss">>);
  STATIC_REQUIRE(cue::stateful<cue::reduce_lr_on_plateau<"val_loss">>);
  STATIC_REQUIRE(cue::stateful<cue::data::batches>);
  STATIC_REQUIRE(cue::stateful<cue::model_checkpoint<"val_loss">>);
  cue::reduce_lr_on_plateau<"val_loss"> a, b;
  b.load_state_dict({{"best", "0.25"}, {"wait", "3"}, {"cooldown_counter", "1"}});
  CHECK(b.best() == 0.25);
  CHECK(b.wait() == 3);
  a.load_state_dict(b.state_dict());
  CHECK(a.cooldown_counter() == 1);
  CHECK_THROWS_WITH(a.load_state_dict({}), "cue: the saved state of reduce_lr_on_plateau has no 'best'");
}

TEST_CASE("model_checkpoint's best and top-k list survive a resume (Lightning #1463)") {
  cue::model_checkpoint<"val_loss"> a({.filepath = "m-{epoch}.bin", .save_top_k = 2});
  a.load_state_dict({{"best", "0.5"}, {"batches_since_save", "7"}, {"last_batch_seen", "3"},
                     {"save_count", "4"}, {"best_saved", "0.5"}, {"kept", "2"}, {"kept.0.score", "0.5"},
                     {"kept.0.path", "m-2.bin"}, {"kept.1.score", "0.75"}, {"kept.1.path", "m-1.bin"}});
  CHECK(a.best() == 0.5);
  CHECK(a.save_count() == 4);
  REQUIRE(a.best_k().size() == 2);
  CHECK(a.best_k()[1].second == "m-1.bin");
  cue::model_checkpoint<"val_loss"> b({.filepath = "m-{epoch}.bin"});
  b.load_state_dict(a.state_dict());
  CHECK(b.state_dict() == a.state_dict());
}
