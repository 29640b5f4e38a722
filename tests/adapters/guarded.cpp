#include <cue/adapters/guarded.hpp>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;

namespace {
struct flaky_uploader {
  int uploads = 0;
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == 1) throw std::runtime_error("connection reset");
    ++uploads;
  }
};
struct fail_at_epoch_1 {
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == 1) throw std::runtime_error("disk quota");
  }
};
const std::vector<batch> one_batch{{1.0}};
}  // namespace

TEST_CASE("disable: the failure is reported, the callback is off, training goes on") {
  std::ostringstream log;
  flaky_uploader uploader;
  cue::guarded guard(uploader, {.log = &log, .name = "uploader"});
  cue_test::learner learner;
  cue::fit(learner, one_batch, {.epochs = 4}, guard);
  CHECK(learner.trained == 4);
  CHECK(uploader.uploads == 1);  // epoch 0 only
  CHECK(guard.disabled());
  CHECK(log.str() == "cue: uploader threw in on_epoch_end: connection reset; disabled for the rest of this run\n");
  cue::fit(learner, one_batch, {.epochs = 1}, guard);  // a new run enables it again
  CHECK(uploader.uploads == 2);
}

TEST_CASE("propagate: the exception ends fit, as without the guard") {
  cue_test::learner learner;
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 4},
                             cue::guarded(flaky_uploader{}, {.policy = cue::on_error::propagate})),
                    "connection reset");
  CHECK(learner.trained == 2);
}

TEST_CASE("a guard hears what its callback handles") {
  using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
  using g = cue::guarded<flaky_uploader>;
  STATIC_REQUIRE(cue::handles_on_epoch_end<g, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<g, ctx>);
}

TEST_CASE("model_checkpoint's save_on_exception keeps the work up to a failure") {
  const auto dir = std::filesystem::temp_directory_path() / "cue-save-on-exception";
  std::filesystem::remove_all(dir);
  cue_test::scripted_learner learner;
  cue::model_checkpoint<"loss"> mc({.filepath = (dir / "m-{epoch}.bin").string(), .save_on_exception = true});
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 3}, mc, fail_at_epoch_1{}), "disk quota");
  std::ifstream in(dir / "on_exception.bin");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK(text == "model 1");
  std::filesystem::remove_all(dir);
}
