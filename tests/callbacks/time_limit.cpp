#include <cue/callbacks/time_limit.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using namespace std::chrono_literals;

namespace {
// Advances one second per call.
struct ticking_clock {
  double t = 0;
  double operator()() { return t++; }
};
}  // namespace

TEST_CASE("time_limit handles train begin, batch end and epoch end") {
  using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_train_begin<cue::time_limit, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_batch_end<cue::time_limit, ctx>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<cue::time_limit, ctx>);
  STATIC_REQUIRE(!cue::handles_on_epoch_begin<cue::time_limit, ctx>);
  CHECK(cue::time_limit_options{}.check_every_batch);
}

TEST_CASE("time_limit stops cleanly once the budget is spent") {
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {1.0}, {1.0}};
  std::vector<std::string> seen;
  cue::time_limit limit({.max_time = 2.5s, .clock = ticking_clock{}});
  cue::fit(learner, data, {.epochs = 5}, limit, cue_test::recorder{&seen, ""});
  CHECK(limit.stopped());
  CHECK(learner.trained == 3);  // clock: 0 at begin, 1, 2, 3 after the batches: 3 >= 2.5
  CHECK(seen.back() == "train_end");
}

TEST_CASE("check_every_batch = false checks at epoch ends only") {
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {1.0}, {1.0}};
  cue::time_limit limit({.max_time = 0.5s, .check_every_batch = false, .clock = ticking_clock{}});
  cue::fit(learner, data, {.epochs = 5}, limit);
  CHECK(learner.trained == 3);  // one whole epoch
}

TEST_CASE("a budget that is not positive is rejected") {
  CHECK_THROWS_WITH(cue::time_limit({}), "cue: time_limit: max_time must be > 0 seconds, got 0.0");
}
