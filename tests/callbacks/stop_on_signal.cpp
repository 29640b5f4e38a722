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
// At its first batch end, runs a whole fit (4 batches) with its own stop_on_signal, which gets
// `raise` at its step `raise.step` (none with a step past its end).
struct nested_fit {
  cue::stop_on_signal* inner;
  int* inner_trained;
  raise_at_step raise{99, SIGTERM};
  void on_train_batch_end(auto& ctx) {
    if (ctx.step() != 0) return;
    cue_test::learner nested;
    cue::fit(nested, std::vector<batch>{{1.0}, {1.0}}, {.epochs = 2}, raise, *inner);
    *inner_trained = nested.trained;
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

TEST_CASE("a signal during a nested fit stops it and the fit around it") {
  cue::stop_on_signal outer, inner;
  int inner_trained = 0;
  cue_test::learner learner;
  cue::fit(learner, std::vector<batch>{{1.0}, {1.0}}, {.epochs = 2}, nested_fit{&inner, &inner_trained, raise_at_step{1, SIGTERM}}, outer);
  CHECK(inner.received() == SIGTERM);
  CHECK(inner_trained == 2);
  CHECK(outer.received() == SIGTERM);
  CHECK(learner.trained == 1);
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

namespace {
// Calls a hook of stop_on_signal as a loop would.
template <class Hook>
void as_loop(Hook hook) {
  cue::run_state state;
  cue_test::learner learner;
  cue::logs<> none;
  cue::context ctx(state, learner, none);
  hook(ctx);
}
}  // namespace

TEST_CASE("fits that overlap in any order give back the handler that was there before") {
  const auto before = handler_of(SIGTERM);
  cue::stop_on_signal a, b;
  as_loop([&](auto& ctx) { a.on_train_begin(ctx); });
  as_loop([&](auto& ctx) { b.on_train_begin(ctx); });
  CHECK(handler_of(SIGTERM) == cue::detail::cue_record_stop_signal);
  as_loop([&](auto& ctx) { a.on_train_end(ctx); });  // not the last to have begun
  CHECK(handler_of(SIGTERM) == cue::detail::cue_record_stop_signal);  // b still watches
  as_loop([&](auto& ctx) { b.on_train_end(ctx); });
  CHECK(handler_of(SIGTERM) == before);
}

TEST_CASE("a signal that arrives before a nested fit starts still stops the outer fit") {
  const auto before = handler_of(SIGINT);
  cue::stop_on_signal outer, inner;
  int inner_trained = 0;
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {1.0}, {1.0}};
  // SIGINT at the first batch's begin; the nested fit starts (and ends) before outer's check.
  cue::fit(learner, data, {.epochs = 3}, raise_at_step{0, SIGINT}, nested_fit{&inner, &inner_trained}, outer);
  CHECK(outer.received() == SIGINT);
  CHECK(learner.trained == 1);
  CHECK(inner.received() == 0);  // it began after the signal: not its to act on
  CHECK(inner_trained == 4);
  CHECK(handler_of(SIGINT) == before);
}
