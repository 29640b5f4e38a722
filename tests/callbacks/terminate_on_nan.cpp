#include <cue/callbacks/terminate_on_nan.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using strings = std::vector<std::string>;

TEST_CASE("terminate_on_nan handles train batch end only; raise_error is off by default") {
  using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_train_batch_end<cue::terminate_on_nan, ctx>);
  STATIC_REQUIRE(!cue::handles_on_epoch_end<cue::terminate_on_nan, ctx>);
  STATIC_REQUIRE(!cue::handles_on_test_batch_end<cue::terminate_on_nan, ctx>);
  CHECK_FALSE(cue::terminate_on_nan_options{}.raise_error);
}

TEST_CASE("a NaN loss stops after that batch; validation, epoch end and train end still run") {
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {std::nan("")}, {2.0}};
  strings seen;
  auto h = cue::fit(learner, data, data, {.epochs = 3}, cue::terminate_on_nan{},
                    cue_test::recorder{&seen, ""});
  CHECK(learner.trained == 2);
  CHECK(h.epochs().size() == 1);
  CHECK(std::isnan(h["loss"][0]));  // the running mean stays NaN
  CHECK(seen.back() == "train_end");
  CHECK(seen[seen.size() - 2] == "epoch_end:0");
}

TEST_CASE("raise_error throws Keras's message; on_train_end is not called") {
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {INFINITY}};
  strings seen;
  CHECK_THROWS_WITH(cue::fit(learner, data, {.epochs = 1}, cue::terminate_on_nan({.raise_error = true}),
                             cue_test::recorder{&seen, ""}),
                    "NaN or Inf loss encountered at batch 1. Loss value: inf. Terminating training "
                    "immediately.");
  CHECK(seen.back() == "exception");
}

TEST_CASE("without raise_error, Keras's message is printed, naming the batch") {
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {std::nan("")}, {2.0}};
  cue_test::captured_stdout out;
  cue::fit(learner, data, {.epochs = 1, .verbose = 0}, cue::terminate_on_nan{});
  CHECK(out.str() == "Batch 1: Invalid loss, terminating training\n");
}
