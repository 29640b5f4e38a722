#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/model_checkpoint.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include <cue/cue.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>

namespace fs = std::filesystem;

namespace {
cue::data::dataset make_data() {
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({400, 8}), xt::xtensor<std::int32_t, 1>::from_shape({400})};
  std::mt19937_64 r(3);
  for (std::size_t i = 0; i < 400; ++i) {
    d.y(i) = static_cast<std::int32_t>(r() % 3);
    for (std::size_t f = 0; f < 8; ++f)
      d.x(i, f) = static_cast<float>(r() % 1000) / 1000.0f + (f % 3 == static_cast<std::size_t>(d.y(i)) ? 0.4f : 0.0f);
  }
  return d;
}
const cue::data::dataset data = make_data();

struct crash_at {
  int epoch;
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == epoch) throw std::runtime_error("power cut");
  }
};

// One run of the same training; with `crash`, a callback listed after the backup throws at the
// end of that epoch (after the backup of the epoch before it was written).
std::string train(const fs::path& backup_dir, int crash = -1, int tracked_extra = 0) {
  std::mt19937_64 rng(7);
  cue::nn::sequential net{cue::nn::dense(8, 16, rng), cue::nn::relu{}, cue::nn::dense(16, 3, rng)};
  cue::nn::classifier model(std::move(net), cue::nn::adam({.learning_rate = 3e-3}));
  cue::data::batches train_batches(data, {.batch_size = 16, .seed = 5});
  cue::early_stopping<"loss"> es({.patience = 3, .restore_best_weights = true});
  cue::reduce_lr_on_plateau<"loss"> rl({.factor = 0.5, .patience = 1});
  const cue::fit_options opts{.epochs = 12};
  if (backup_dir.empty()) {
    cue::fit(model, train_batches, opts, es, rl);
  } else if (tracked_extra == 0) {
    cue::backup_and_restore backup({.backup_dir = backup_dir.string()}, es, rl, train_batches);
    cue::fit(model, train_batches, opts, es, rl, backup, crash_at{crash});
  } else {
    cue::backup_and_restore backup({.backup_dir = backup_dir.string()}, es, train_batches);
    cue::fit(model, train_batches, opts, es, rl, backup, crash_at{crash});
  }
  return model.weights_digest();
}

fs::path fresh(const char* name) {
  auto d = fs::temp_directory_path() / name;
  fs::remove_all(d);
  return d;
}
}  // namespace

TEST_CASE("a run that crashed resumes from its backup and ends bit for bit as one never interrupted") {
  const auto reference = train({});
  const auto dir = fresh("cue-backup-resume");
  CHECK_THROWS_WITH(train(dir, 4), "power cut");
  CHECK(fs::exists(dir / "current" / "state.txt"));  // kept: the run did not end
  CHECK_THROWS_WITH(train(dir, 9), "power cut");     // resumed at epoch 4, crashed again
  CHECK(train(dir) == reference);                    // resumed at epoch 9, finished
  CHECK_FALSE(fs::exists(dir));                      // delete_checkpoint, as Keras
}

TEST_CASE("a damaged backup is an error naming it, and it is kept for repair") {
  const auto dir = fresh("cue-backup-corrupt");
  CHECK_THROWS(train(dir, 3));
  {
    std::fstream f(dir / "current" / "state.txt", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('#');
  }
  CHECK_THROWS_WITH(train(dir), Catch::Contains("no usable backup in " + dir.string()) &&
                                    Catch::Contains("checksum mismatch"));
  CHECK(fs::exists(dir / "current" / "state.txt"));
  fs::remove_all(dir);
}

TEST_CASE("resuming with other tracked objects is explained, not misapplied") {
  const auto dir = fresh("cue-backup-mismatch");
  CHECK_THROWS(train(dir, 3));
  CHECK_THROWS_WITH(train(dir, -1, 1),
                    "cue: backup_and_restore: the backup in " + (dir / "current").string() +
                        " was made tracking 3 objects and this run tracks 2; resume with the same "
                        "callbacks and data, or remove the backup");
  fs::remove_all(dir);
}

TEST_CASE("state files: exact numbers, a version, a checksum") {
  const cue::state_dict d{{"best", cue::state::number(0.1 + 0.2)}, {"w", cue::state::floats({1.5f, 1e-30f})}};
  const auto text = cue::state::serialize(d);
  const auto back = cue::state::parse(text, "f");
  CHECK(cue::state::to_double(back.at("best")) == 0.1 + 0.2);
  CHECK(cue::state::to_floats(back.at("w")) == std::vector<float>{1.5f, 1e-30f});
  CHECK_THROWS_WITH(cue::state::parse(text.substr(0, text.size() - 5), "f"), Catch::Contains("f: "));
  auto v2 = text;
  v2.replace(10, 1, "2");
  CHECK_THROWS_WITH(cue::state::parse(v2, "f"), Catch::Contains("checksum mismatch"));
  CHECK_THROWS_WITH(cue::state::parse("hello", "f"), "cue: f: not a cue state file");
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
                     {"save_count", "4"}, {"kept", "2"}, {"kept.0.score", "0.5"},
                     {"kept.0.path", "m-2.bin"}, {"kept.1.score", "0.75"}, {"kept.1.path", "m-1.bin"}});
  CHECK(a.best() == 0.5);
  CHECK(a.save_count() == 4);
  REQUIRE(a.best_k().size() == 2);
  CHECK(a.best_k()[1].second == "m-1.bin");
  cue::model_checkpoint<"val_loss"> b({.filepath = "m-{epoch}.bin"});
  b.load_state_dict(a.state_dict());
  CHECK(b.state_dict() == a.state_dict());
}
