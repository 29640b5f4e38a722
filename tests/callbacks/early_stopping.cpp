#include <cue/callbacks/early_stopping.hpp>

#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;

namespace {
const std::vector<batch> one_batch{{1.0}};
using ctx = cue::context<scripted_learner, cue::logs<"loss", "val_loss">>;
}  // namespace

TEST_CASE("early_stopping handles train begin, epoch end and train end only") {
  using es = cue::early_stopping<"val_loss">;
  STATIC_REQUIRE(cue::handles_on_train_begin<es, ctx>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<es, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_end<es, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<es, ctx>);
  STATIC_REQUIRE(!cue::handles_on_epoch_begin<es, ctx>);
  STATIC_REQUIRE(std::is_same_v<es::monitored, cue::names<"val_loss">>);
}

TEST_CASE("early_stopping's defaults are Keras's") {
  const cue::early_stopping_options o;
  CHECK(o.min_delta == 0);
  CHECK(o.patience == 0);
  CHECK(o.verbose == 0);
  CHECK(o.mode == cue::mode::automatic);
  CHECK_FALSE(o.baseline);
  CHECK_FALSE(o.restore_best_weights);
  CHECK(o.start_from_epoch == 0);
  CHECK_FALSE(o.stopping_threshold);
  CHECK_FALSE(o.divergence_threshold);
  CHECK_FALSE(o.check_finite);
  STATIC_REQUIRE(std::is_same_v<decltype(cue::early_stopping<>{}), cue::early_stopping<"val_loss">>);
}

TEST_CASE("through fit: stops after patience, restores the best epoch, keeps its state readable") {
  scripted_learner learner{.val_loss = {1.0, 0.5, 0.6, 0.7, 0.4, 0.3}};
  cue::early_stopping<"val_loss"> es({.patience = 2, .restore_best_weights = true});
  auto h = cue::fit(learner, one_batch, one_batch, {.epochs = 6}, es);
  CHECK(h.epochs().size() == 4);
  CHECK(es.stopped_epoch() == 3);
  CHECK(es.best() == 0.5);
  CHECK(es.best_epoch() == 1);
  CHECK(es.wait() == 2);
  CHECK(learner.loaded == std::vector<int>{1});
  CHECK(learner.weights == 1);
}

TEST_CASE("an instance serves several fits: train begin resets its state") {
  scripted_learner learner{.val_loss = {1.0, 2.0, 3.0, 0.1, 0.2, 0.3}};
  cue::early_stopping<"val_loss"> es({.patience = 1});
  cue::fit(learner, one_batch, one_batch, {.epochs = 3}, es);
  CHECK(es.stopped_epoch() == 1);
  cue::fit(learner, one_batch, one_batch, {.epochs = 2}, es);  // now 3.0, then 0.1
  CHECK(es.best() == 0.1);
  CHECK(es.stopped_epoch() == 0);
  CHECK(es.wait() == 0);
}

TEST_CASE("Lightning's thresholds and check_finite stop at once") {
  SECTION("stopping_threshold") {
    scripted_learner learner{.val_loss = {1.0, 0.5, 0.2, 0.1}};
    cue::early_stopping<"val_loss"> es({.patience = 10, .stopping_threshold = 0.3});
    cue::fit(learner, one_batch, one_batch, {.epochs = 4}, es);
    CHECK(es.stopped_epoch() == 2);
  }
  SECTION("divergence_threshold") {
    scripted_learner learner{.val_loss = {1.0, 0.5, 9.0, 0.1}};
    cue::early_stopping<"val_loss"> es({.patience = 10, .divergence_threshold = 5.0});
    cue::fit(learner, one_batch, one_batch, {.epochs = 4}, es);
    CHECK(es.stopped_epoch() == 2);
  }
  SECTION("check_finite") {
    scripted_learner learner{.val_loss = {1.0, std::nan(""), 0.5}};
    cue::early_stopping<"val_loss"> es({.patience = 10, .check_finite = true});
    cue::fit(learner, one_batch, one_batch, {.epochs = 3}, es);
    CHECK(es.stopped_epoch() == 1);
  }
  SECTION("off by default: NaN only fails to improve, as in Keras") {
    scripted_learner learner{.val_loss = {1.0, std::nan(""), 0.5}};
    cue::early_stopping<"val_loss"> es({.patience = 10});
    cue::fit(learner, one_batch, one_batch, {.epochs = 3}, es);
    CHECK(es.stopped_epoch() == 0);
    CHECK(es.best() == 0.5);
  }
}

TEST_CASE("epochs without validation are not monitored") {
  scripted_learner learner{.val_loss = {9.0, 1.0, 9.0, 2.0, 9.0, 3.0}};
  cue::early_stopping<"val_loss"> es({.patience = 1});
  cue::fit(learner, one_batch, one_batch, {.epochs = 6, .validation_freq = 2}, es);
  CHECK(es.stopped_epoch() == 3);  // epochs 1 and 3 seen: 1.0 then 2.0
}

TEST_CASE("invalid options are rejected at construction, naming the option") {
  CHECK_THROWS_WITH(cue::early_stopping<"val_loss">({.patience = -1}),
                    "cue: early_stopping: patience must be >= 0, got -1");
  CHECK_THROWS_WITH(cue::early_stopping<"val_loss">({.start_from_epoch = -2}),
                    "cue: early_stopping: start_from_epoch must be >= 0, got -2");
  CHECK_THROWS_AS(cue::early_stopping<"val_throughput">(), std::invalid_argument);
  CHECK_NOTHROW(cue::early_stopping<"val_throughput">({.mode = cue::mode::max}));
}

TEST_CASE("restore_best_weights without state() is refused before the first batch") {
  cue_test::learner stateless;
  cue::early_stopping<"val_loss"> es({.restore_best_weights = true});
  CHECK_THROWS_WITH(cue::fit(stateless, one_batch, one_batch, {.epochs = 2}, es),
                    "cue: early_stopping: restore_best_weights needs a learner with state() and "
                    "load_state(s); add them to the learner, or leave restore_best_weights false");
  CHECK(stateless.trained == 0);
}

TEST_CASE("verbose: Keras's messages on standard output when stopping and restoring; none without") {
  const scripted_learner start{.val_loss = {1.0, 0.5, 0.6, 0.7, 0.4, 0.3}};
  cue_test::captured_stdout out;
  scripted_learner quiet = start, verbose = start;
  cue::fit(quiet, one_batch, one_batch, {.epochs = 6, .verbose = 0},
           cue::early_stopping<"val_loss">({.patience = 2, .restore_best_weights = true}));
  CHECK(out.str().empty());
  cue::fit(verbose, one_batch, one_batch, {.epochs = 6, .verbose = 0},
           cue::early_stopping<"val_loss">({.patience = 2, .verbose = 1, .restore_best_weights = true}));
  CHECK(out.str() == "Epoch 4: early stopping\n"
                     "Restoring model weights from the end of the best epoch: 2.\n");
}
