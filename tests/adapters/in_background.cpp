#include <cue/adapters/in_background.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>
#include <cue/adapters/every_n_epochs.hpp>
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
// Reads the running sums fit shows to a callback that declares it reads them: on the worker
// they would be fit's stack, written by the next batches meanwhile (ThreadSanitizer's race).
struct reads_sums {
  using reads_running_sums = void;
  std::vector<std::size_t> sizes;
  double total = 0;
  void on_train_batch_end(auto& ctx) {
    sizes.push_back(ctx.state().running.size());
    for (double v : ctx.state().running) total += v;
  }
};
// Throws from a test hook (a standalone evaluation's) and a predict hook.
struct fails_in_test {
  void on_test_batch_end(auto&) { throw std::runtime_error("test hook failed"); }
};
struct fails_in_predict {
  void on_predict_batch_end(auto&) { throw std::runtime_error("predict hook failed"); }
};
struct counts_test_and_predict {
  int test_batches = 0, predict_batches = 0;
  void on_test_batch_end(auto&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ++test_batches;
  }
  void on_predict_batch_end(auto&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ++predict_batches;
  }
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

TEST_CASE("a background hook sees no running sums: they live on fit's stack") {
  reads_sums reader;
  cue_test::learner learner;
  cue::fit(learner, two_batches, {.epochs = 3}, cue::in_background(reader));
  REQUIRE(reader.sizes.size() == 6);
  for (auto n : reader.sizes) CHECK(n == 0);
}

TEST_CASE("a standalone evaluate or predict drains the queue before it returns") {
  counts_test_and_predict counter;
  cue_test::learner learner;
  cue::evaluate(learner, two_batches, cue::in_background(counter));
  CHECK(counter.test_batches == 2);
  cue::predict(learner, two_batches, cue::in_background(counter));
  CHECK(counter.predict_batches == 2);
}

TEST_CASE("a hook's exception in a standalone evaluate or predict comes out of it") {
  cue_test::learner learner;
  CHECK_THROWS_WITH(cue::evaluate(learner, two_batches, cue::in_background(fails_in_test{})),
                    "test hook failed");
  CHECK_THROWS_WITH(cue::predict(learner, two_batches, cue::in_background(fails_in_predict{})),
                    "predict hook failed");
}

TEST_CASE("validation inside fit does not drain: training goes on while the hook runs") {
  counts_test_and_predict counter;
  cue_test::learner learner;
  cue::fit(learner, two_batches, two_batches, {.epochs = 2}, cue::in_background(counter));
  CHECK(counter.test_batches == 4);  // all of them by train end
}

TEST_CASE("a queue of capacity 0 is refused, not a deadlock") {
  CHECK_THROWS_WITH(cue::in_background(slow_logger{}, {.capacity = 0}),
                    Catch::Contains("capacity must be >= 1"));
}

TEST_CASE("a callback that changes the learner cannot run in the background") {
  using reduce = cue::reduce_lr_on_plateau<"loss">;
  STATIC_REQUIRE(cue::detail::changes_learner<reduce>);
  STATIC_REQUIRE(cue::detail::changes_learner<cue::filtered<cue::detail::every_n_epochs_filter<2>, reduce>>);
  STATIC_REQUIRE(cue::detail::changes_learner<cue::callbacks<slow_logger, reduce>>);
  STATIC_REQUIRE(!cue::detail::changes_learner<cue::model_checkpoint<"loss">>);
  STATIC_REQUIRE(!cue::detail::changes_learner<slow_logger>);
}

TEST_CASE("early_stopping restoring best weights in the background fails before the first batch") {
  cue_test::scripted_learner learner{.val_loss = {3, 2, 1}};
  cue::early_stopping<"loss"> es({.restore_best_weights = true});
  CHECK_THROWS_WITH(cue::fit(learner, std::vector<batch>{{1.0}}, {.epochs = 3}, cue::in_background(es)),
                    Catch::Contains("restore_best_weights") && Catch::Contains("in_background"));
  CHECK(learner.weights == -1);  // nothing trained
}
