#include <cue/callbacks/stop_on_signal.hpp>

#include <signal.h>

#include <csignal>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;

namespace {
struct raise_at_step {
  std::size_t step;
  int signal;
  void on_train_batch_begin(auto& ctx) {
    if (ctx.step() == step) std::raise(signal);
  }
};
void (*handler_of(int s))(int) {
  struct sigaction now {};
  sigaction(s, nullptr, &now);
  return now.sa_handler;
}
}  // namespace

TEST_CASE("SIGTERM during a batch stops after it; epoch end and train end still run") {
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {1.0}, {1.0}};
  std::vector<std::string> seen;
  cue::stop_on_signal stopper;
  const auto before = handler_of(SIGTERM);  // Catch2's own, here
  cue::fit(learner, data, {.epochs = 3}, raise_at_step{4, SIGTERM}, stopper, cue_test::recorder{&seen, ""});
  CHECK(stopper.received() == SIGTERM);
  CHECK(learner.trained == 5);  // step 4 (epoch 1, batch 1) finished, then the stop
  CHECK(seen[seen.size() - 2] == "epoch_end:1");
  CHECK(seen.back() == "train_end");
  CHECK(handler_of(SIGTERM) == before);  // the previous handler is back
}

TEST_CASE("SIGINT too; without a signal nothing changes") {
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {1.0}};
  cue::stop_on_signal stopper;
  cue::fit(learner, data, {.epochs = 2}, stopper);
  CHECK(stopper.received() == 0);
  CHECK(learner.trained == 4);
  cue::fit(learner, data, {.epochs = 2}, raise_at_step{0, SIGINT}, stopper);
  CHECK(stopper.received() == SIGINT);
  CHECK(learner.trained == 5);
}

TEST_CASE("stop_on_signal handles batch end and epoch end, and rejects bad signal numbers") {
  using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_train_batch_end<cue::stop_on_signal, ctx>);
  STATIC_REQUIRE(cue::handles_on_exception<cue::stop_on_signal, ctx>);
  CHECK_THROWS_AS(cue::stop_on_signal({.signals = {0}}), std::invalid_argument);
}
