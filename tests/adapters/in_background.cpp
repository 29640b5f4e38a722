#include <cue/adapters/in_background.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;

namespace {
// Slow, and it records what it saw and on which thread.
struct slow_logger {
  std::vector<std::string> seen;
  std::vector<std::thread::id> threads;
  void on_epoch_end(auto& ctx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    seen.push_back(std::to_string(ctx.epoch()) + ":" + std::to_string(cue::get<"loss">(ctx.logs())) +
                   ":" + std::to_string(ctx.learner().trained));
    threads.push_back(std::this_thread::get_id());
  }
};
struct fails_at_epoch_1 {
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == 1) throw std::runtime_error("upload failed");
  }
};
struct stops_at_epoch_0 {
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == 0) ctx.request_stop();
  }
};
// Makes each batch take a millisecond, so the worker has long finished a trivial hook when the
// next epoch's events come (a stop or an exception is relayed at an event after it happened).
struct slow_batches {
  void on_train_batch_end(auto&) { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }
};
const std::vector<batch> two_batches{{1.0}, {3.0}};
}  // namespace

TEST_CASE("the hooks run on a worker, in order, on copies taken at the event; all before fit returns") {
  slow_logger logger;
  cue_test::learner learner;
  cue::fit(learner, two_batches, {.epochs = 3}, cue::in_background(logger));
  // every event arrived (drained at train end), each with that epoch's logs and learner
  CHECK(logger.seen == std::vector<std::string>{"0:2.000000:2", "1:2.000000:4", "2:2.000000:6"});
  REQUIRE(logger.threads.size() == 3);
  CHECK(logger.threads[0] != std::this_thread::get_id());
  CHECK(logger.threads[0] == logger.threads[2]);  // one worker, in order
}

TEST_CASE("an exception on the worker comes back to the training thread") {
  cue_test::learner learner;
  std::vector<std::string> seen;
  CHECK_THROWS_WITH(cue::fit(learner, two_batches, {.epochs = 50}, slow_batches{},
                             cue::in_background(fails_at_epoch_1{}), cue_test::recorder{&seen, ""}),
                    "upload failed");
  CHECK(learner.trained < 100);  // rethrown at an event after the failure, not only at the end
  CHECK(seen.back() == "exception");
}

TEST_CASE("a stop requested on the worker stops training") {
  cue_test::learner learner;
  cue::fit(learner, two_batches, {.epochs = 50}, slow_batches{},
           cue::in_background(stops_at_epoch_0{}, {.capacity = 1}));
  CHECK(learner.trained < 100);
}

TEST_CASE("in_background hears what its callback handles, plus train begin and end") {
  using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
  using bg = cue::in_background<slow_logger>;
  STATIC_REQUIRE(cue::handles_on_epoch_end<bg, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_end<bg, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<bg, ctx>);
}
