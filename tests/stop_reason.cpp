// Why a fit stopped: every reason, in the words of the callback that stopped it; the first wins.
#include <cue/stop_reason.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/adapters/in_background.hpp>
#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/progbar_logger.hpp>
#include <cue/callbacks/stop_on_signal.hpp>
#include <cue/callbacks/terminate_on_nan.hpp>
#include <cue/callbacks/time_limit.hpp>
#include <cue/fit.hpp>

#include "support.hpp"

using cue::stop_reason;
using cue_test::batch;

namespace {
const std::vector<batch> two_batches{{1.0}, {3.0}};  // the loss of every epoch is 2.0
const std::vector<batch> nan_batch{{std::numeric_limits<double>::quiet_NaN()}};
const cue::fit_options silent{.epochs = 5, .verbose = 0};

template <class... Cs>
cue::history fit(const std::vector<batch>& data, Cs&&... cbs) {
  cue_test::learner learner;
  return cue::fit(learner, data, silent, std::forward<Cs>(cbs)...);
}

struct asks {
  stop_reason reason;
  std::string message;
  void on_epoch_end(auto& ctx) {
    if (reason == stop_reason::requested)
      ctx.request_stop();
    else
      ctx.request_stop(reason, message);
  }
};
struct raise_sigterm {
  void on_train_batch_begin(auto& ctx) {
    if (ctx.step() == 1) std::raise(SIGTERM);
  }
};
// A clock that says `seconds` have passed since its first reading.
struct jump_clock {
  double seconds;
  int calls = 0;
  double operator()() { return calls++ == 0 ? 0.0 : seconds; }
};
}  // namespace

TEST_CASE("a fit that ran every planned epoch did not stop") {
  const auto h = fit(two_batches);
  CHECK(h.stop_reason() == stop_reason::not_stopped);
  CHECK(h.stop_message().empty());
  CHECK(std::string(cue::name(h.stop_reason())) == "not_stopped");
}

TEST_CASE("a plain request_stop() is 'requested'; the first request of a fit gives the reason") {
  CHECK(fit(two_batches, asks{stop_reason::requested, ""}).stop_reason() == stop_reason::requested);
  const auto h = fit(two_batches, asks{stop_reason::time_limit, "first"}, asks{stop_reason::signal, "second"});
  CHECK(h.stop_reason() == stop_reason::time_limit);
  CHECK(h.stop_message() == "first");
  CHECK(h.epochs().size() == 1);
}

TEST_CASE("early_stopping's four reasons, in Lightning's words") {
  auto h = fit(two_batches, cue::early_stopping<"loss">({.patience = 2}));
  CHECK(h.stop_reason() == stop_reason::patience_exhausted);
  CHECK(h.stop_message() == "Monitored metric loss did not improve in the last 2 records. Best score: "
                            "2.000. Signaling Trainer to stop.");
  h = fit(two_batches, cue::early_stopping<"loss">({.patience = 9, .stopping_threshold = 2.5}));
  CHECK(h.stop_reason() == stop_reason::stopping_threshold);
  CHECK(h.stop_message() == "Stopping threshold reached: loss = 2.0 < 2.5. Signaling Trainer to stop.");
  h = fit(two_batches, cue::early_stopping<"loss">({.patience = 9, .divergence_threshold = 1.5}));
  CHECK(h.stop_reason() == stop_reason::divergence_threshold);
  CHECK(h.stop_message() == "Divergence threshold reached: loss = 2.0 > 1.5. Signaling Trainer to stop.");
  h = fit(nan_batch, cue::early_stopping<"loss">({.patience = 9, .check_finite = true}));
  CHECK(h.stop_reason() == stop_reason::non_finite_metric);
  CHECK(h.stop_message() == "Monitored metric loss = nan is not finite. Previous best value was nan. "
                            "Signaling Trainer to stop.");
}

TEST_CASE("terminate_on_nan, time_limit and stop_on_signal give theirs") {
  auto h = fit(nan_batch, cue::terminate_on_nan{});
  CHECK(h.stop_reason() == stop_reason::non_finite_loss);
  CHECK(h.stop_message() == "Batch 0: Invalid loss, terminating training");
  h = fit(two_batches, cue::time_limit({.max_time = std::chrono::seconds(60), .clock = jump_clock{3725}}));
  CHECK(h.stop_reason() == stop_reason::time_limit);
  CHECK(h.stop_message() == "Time limit reached. Elapsed time is 1:02:05. Signaling Trainer to stop.");
  h = fit(two_batches, cue::time_limit({.max_time = std::chrono::seconds(60), .clock = jump_clock{2 * 86400 + 61}}));
  CHECK(h.stop_message() == "Time limit reached. Elapsed time is 2 days, 0:01:01. Signaling Trainer to stop.");
  h = fit(two_batches, raise_sigterm{}, cue::stop_on_signal{});
  CHECK(h.stop_reason() == stop_reason::signal);
  CHECK(h.stop_message() == "Received SIGTERM: stopping after this batch, as asked");
}

TEST_CASE("a stop asked in the background keeps its reason") {
  const auto h = fit(two_batches, cue::in_background(asks{stop_reason::time_limit, "from the worker"}));
  CHECK(h.stop_reason() == stop_reason::time_limit);
  CHECK(h.stop_message() == "from the worker");
}

TEST_CASE("progbar_logger ends with why the fit stopped") {
  std::ostringstream out;
  fit(two_batches, cue::progbar_logger(out), cue::early_stopping<"loss">({.patience = 1}));
  CHECK(out.str().ends_with("\nMonitored metric loss did not improve in the last 1 records. Best score: "
                            "2.000. Signaling Trainer to stop.\n"));
}
