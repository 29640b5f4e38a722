// every_n_batches, every_n_epochs and when, through fit.
#include <cue/adapters/every_n_batches.hpp>
#include <cue/adapters/every_n_epochs.hpp>
#include <cue/adapters/when.hpp>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/early_stopping.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using strings = std::vector<std::string>;

namespace {
struct batch_counter {
  std::vector<std::size_t> steps;
  void on_train_batch_end(auto& ctx) { steps.push_back(ctx.step()); }
};
struct epoch_counter {
  std::vector<int> epochs;
  void on_epoch_end(auto& ctx) { epochs.push_back(ctx.epoch()); }
};
using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
const std::vector<batch> three{{1.0}, {1.0}, {1.0}};
}  // namespace

TEST_CASE("every_n_batches delivers every N-th training batch, counted across epochs") {
  batch_counter counter;
  auto throttled = cue::every_n_batches<2>(counter);  // an lvalue: held by reference
  STATIC_REQUIRE(cue::handles_on_train_batch_end<decltype(throttled), ctx>);
  STATIC_REQUIRE(!cue::handles_on_epoch_end<decltype(throttled), ctx>);  // only what it wraps
  cue_test::learner learner;
  cue::fit(learner, three, {.epochs = 2}, throttled);
  CHECK(counter.steps == std::vector<std::size_t>{1, 3, 5});
}

TEST_CASE("every_n_epochs delivers epoch events of every N-th epoch") {
  cue_test::learner learner;
  auto throttled = cue::every_n_epochs<3>(epoch_counter{});
  cue::fit(learner, three, {.epochs = 7}, throttled);
  CHECK(throttled.inner().epochs == std::vector<int>{2, 5});
}

TEST_CASE("when delivers events while its predicate holds") {
  cue_test::learner learner;
  epoch_counter counter;
  cue::fit(learner, three, {.epochs = 5},
           cue::when([](auto& c) { return c.epoch() >= 3; }, counter));
  CHECK(counter.epochs == std::vector<int>{3, 4});
}

TEST_CASE("an adapted callback's monitored metrics are still checked") {
  using adapted = decltype(cue::every_n_epochs<2>(cue::early_stopping<"val_loss">{}));
  using produced = cue::logs<"loss", "val_loss">;
  using missing = cue::logs<"loss">;
  STATIC_REQUIRE(cue::detail::requirements<adapted, cue_test::learner, produced>::met);
  STATIC_REQUIRE(!cue::detail::requirements<adapted, cue_test::learner, missing>::met);
}
