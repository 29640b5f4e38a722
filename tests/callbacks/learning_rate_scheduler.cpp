#include <cue/callbacks/learning_rate_scheduler.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/run_events.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;

namespace {
const std::vector<batch> one_batch{{1.0}};
double halve(int, double lr) { return lr / 2; }
double by_epoch(int epoch) { return 1.0 / (epoch + 1); }
}  // namespace

TEST_CASE("learning_rate_scheduler handles epoch begin only and needs a learning rate") {
  using s = cue::learning_rate_scheduler<double (*)(int, double)>;
  using ctx = cue::context<scripted_learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_epoch_begin<s, ctx>);
  STATIC_REQUIRE(!cue::handles_on_epoch_end<s, ctx>);
  STATIC_REQUIRE(std::is_same_v<s::needs, cue::needs<cue::capability::learning_rate>>);
  STATIC_REQUIRE(cue::lr_schedule<double (*)(int)>);
  STATIC_REQUIRE(!cue::lr_schedule<int (*)(int)>);  // Keras rejects an int rate; here it does not compile
  CHECK(cue::learning_rate_scheduler_options{}.verbose == 0);  // Keras's default
}

TEST_CASE("schedules of (epoch, lr) and of (epoch) set the rate each epoch trains with") {
  scripted_learner learner{.lr = 0.8};
  auto h = cue::fit(learner, one_batch, {.epochs = 3}, cue::learning_rate_scheduler(halve));
  CHECK(h["learning_rate"] == std::vector<double>{0.4, 0.2, 0.1});
  scripted_learner other;
  auto h2 = cue::fit(other, one_batch, {.epochs = 4, .initial_epoch = 2},
                     cue::learning_rate_scheduler(by_epoch));
  CHECK(h2["learning_rate"] == std::vector<double>{1.0 / 3, 0.25});  // absolute epoch indices
}

TEST_CASE("a rate the schedule changes is announced; one it keeps is not") {
  scripted_learner learner{.lr = 0.5};
  cue_test::event_log<cue::learning_rate_changed> log;
  cue::fit(learner, one_batch, {.epochs = 3}, cue::learning_rate_scheduler([](int epoch) { return epoch < 2 ? 0.5 : 0.1; }), log);
  const auto& changes = log.of<cue::learning_rate_changed>();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].old_rate == 0.5);
  CHECK(changes[0].new_rate == 0.1);
}

TEST_CASE("a non-finite rate is an error naming the epoch") {
  scripted_learner learner;
  auto bad = cue::learning_rate_scheduler([](int epoch) { return epoch == 1 ? std::nan("") : 0.1; });
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 3}, bad),
                    "cue: learning_rate_scheduler: the schedule returned nan for epoch 1");
}

TEST_CASE("verbose: each epoch's rate printed as Keras prints it") {
  scripted_learner learner{.lr = 0.8};
  cue_test::captured_stdout out;
  cue::fit(learner, one_batch, {.epochs = 2, .verbose = 0}, cue::learning_rate_scheduler(halve, {.verbose = 1}));
  CHECK(out.str() == "\nEpoch 1: LearningRateScheduler setting learning rate to 0.4.\n"
                     "\nEpoch 2: LearningRateScheduler setting learning rate to 0.2.\n");
}
