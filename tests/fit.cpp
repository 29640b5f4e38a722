// The exact hook order of every loop, on the normal, stop and exception paths.
#include <cue/fit.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support.hpp"

using cue_test::batch;
using cue_test::recorder;
using strings = std::vector<std::string>;

namespace {
const std::vector<batch> two_batches{{1.0}, {3.0}};
const std::vector<batch> one_batch{{2.0}};

// The events of one epoch without validation.
strings epoch_events(int e, int batches) {
  const auto E = std::to_string(e);
  strings out{"epoch_begin:" + E};
  for (int b = 0; b < batches; ++b) {
    const auto B = std::to_string(b);
    out.push_back("train_batch_begin:" + E + ":" + B);
    out.push_back("train_batch_end:" + E + ":" + B);
  }
  return out;
}
strings validation_events(int e, int batches) {
  const auto E = std::to_string(e);
  strings out{"test_begin"};
  for (int b = 0; b < batches; ++b) {
    const auto B = std::to_string(b);
    out.push_back("test_batch_begin:" + E + ":" + B);
    out.push_back("test_batch_end:" + E + ":" + B);
  }
  out.push_back("test_end");
  return out;
}
strings operator+(strings a, const strings& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

namespace {
struct empty_logs_at_end {
  bool empty = false;
  void on_train_end(auto& ctx) { empty = std::remove_cvref_t<decltype(ctx.logs())>::size == 0; }
};

struct stop_at_batch_0 {
  void on_train_batch_end(auto& ctx) {
    if (ctx.batch() == 0) ctx.request_stop();
  }
};

struct stop_at_epoch_end {
  void on_epoch_end(auto& ctx) { ctx.request_stop(); }
};

struct stop_at_epoch_begin {
  void on_epoch_begin(auto& ctx) { ctx.request_stop(); }
};

struct keeps_message {
  std::string what;
  void on_exception(auto& ctx) {
    try {
      std::rethrow_exception(ctx.exception());
    } catch (const std::exception& e) {
      what = e.what();
    }
  }
};

struct throws_at_epoch_end {
  void on_epoch_end(auto&) { throw std::runtime_error("callback failed"); }
};

struct checks_order {
  cue_test::split_learner* l;
  int seen = 0;
  void on_after_backward(auto& ctx) {
    CHECK(ctx.learner().forward == ctx.learner().applied + 1);  // gradients ready, not applied
    CHECK(cue::get<"loss">(ctx.logs()) == 5.0);                 // this batch's own logs
    ++seen;
  }
};

struct running {
  std::vector<double> loss;
  void on_train_batch_end(auto& ctx) { loss.push_back(cue::get<"loss">(ctx.logs())); }
};

struct epoch_end_probe {
  double val_loss = 0, test_end_loss = 0, loss = 0;
  bool validated = false;
  void on_test_end(auto& ctx) { test_end_loss = cue::get<"loss">(ctx.logs()); }
  void on_epoch_end(auto& ctx) {
    loss = cue::get<"loss">(ctx.logs());
    val_loss = cue::get<"val_loss">(ctx.logs());
    validated = cue::has_log<"val_loss">(ctx);
  }
};

struct val_presence_probe {
  std::vector<bool> has;
  std::vector<bool> nan;
  void on_epoch_end(auto& ctx) {
    has.push_back(cue::has_log<"val_loss">(ctx));
    nan.push_back(std::isnan(cue::get<"val_loss">(ctx.logs())));
  }
};

struct step_probe {
  std::vector<std::size_t> steps;
  cue::loop_params params{};
  void on_train_begin(auto& ctx) { params = ctx.params(); }
  void on_train_batch_begin(auto& ctx) { steps.push_back(ctx.step()); }
};

struct stop_first_test_batch {
  void on_test_batch_end(auto& ctx) { ctx.request_stop(); }
};

struct stop_first_predict_batch {
  void on_predict_batch_end(auto& ctx) { ctx.request_stop(); }
};
}  // namespace

TEST_CASE("fit without validation: Keras 3's order") {
  strings seen;
  cue_test::learner learner;
  cue::fit(learner, two_batches, {.epochs = 2}, recorder{&seen, ""});
  const strings expected = strings{"train_begin"} + epoch_events(0, 2) + strings{"epoch_end:0"} +
                           epoch_events(1, 2) + strings{"epoch_end:1", "train_end"};
  CHECK(seen == expected);
  CHECK(learner.trained == 4);
}

TEST_CASE("fit with validation: test events before epoch_end, every epoch") {
  strings seen;
  cue_test::learner learner;
  cue::fit(learner, two_batches, one_batch, {.epochs = 2}, recorder{&seen, ""});
  const strings expected = strings{"train_begin"} + epoch_events(0, 2) + validation_events(0, 1) +
                           strings{"epoch_end:0"} + epoch_events(1, 2) + validation_events(1, 1) +
                           strings{"epoch_end:1", "train_end"};
  CHECK(seen == expected);
}

TEST_CASE("validation_freq 2 validates after the 2nd and 4th epochs only") {
  strings seen;
  cue_test::learner learner;
  auto h = cue::fit(learner, one_batch, one_batch, {.epochs = 4, .validation_freq = 2},
                    recorder{&seen, ""});
  const strings expected =
      strings{"train_begin"} + epoch_events(0, 1) + strings{"epoch_end:0"} + epoch_events(1, 1) +
      validation_events(1, 1) + strings{"epoch_end:1"} + epoch_events(2, 1) +
      strings{"epoch_end:2"} + epoch_events(3, 1) + validation_events(3, 1) +
      strings{"epoch_end:3", "train_end"};
  CHECK(seen == expected);
  CHECK(h["loss"].size() == 4);
  CHECK(h["val_loss"].size() == 2);  // as Keras: recorded only where validation ran
}

TEST_CASE("initial_epoch starts from that epoch index") {
  strings seen;
  cue_test::learner learner;
  auto h = cue::fit(learner, one_batch, {.epochs = 3, .initial_epoch = 2}, recorder{&seen, ""});
  CHECK(seen == strings{"train_begin"} + epoch_events(2, 1) + strings{"epoch_end:2", "train_end"});
  CHECK(h.epochs() == std::vector<int>{2});
}

TEST_CASE("no epoch to run: train_begin and train_end only, with empty logs") {
  strings seen;
  empty_logs_at_end probe;
  cue_test::learner learner;
  cue::fit(learner, one_batch, {.epochs = 1, .initial_epoch = 1}, recorder{&seen, ""}, probe);
  CHECK(seen == strings{"train_begin", "train_end"});
  CHECK(probe.empty);
}

TEST_CASE("a stop requested mid-epoch ends the batches; validation and epoch_end still run") {
  strings seen;
  cue_test::learner learner;
  cue::fit(learner, two_batches, one_batch, {.epochs = 3}, stop_at_batch_0{}, recorder{&seen, ""});
  const strings expected = strings{"train_begin"} + epoch_events(0, 1) + validation_events(0, 1) +
                           strings{"epoch_end:0", "train_end"};
  CHECK(seen == expected);
  CHECK(learner.trained == 1);
}

TEST_CASE("a stop requested at epoch end ends training after that epoch; nothing short-circuits") {
  strings seen;
  cue_test::learner learner;
  // The recorder after the stopping callback still hears that epoch_end.
  cue::fit(learner, one_batch, {.epochs = 3}, stop_at_epoch_end{}, recorder{&seen, ""});
  CHECK(seen == strings{"train_begin"} + epoch_events(0, 1) + strings{"epoch_end:0", "train_end"});
}

TEST_CASE("a stop requested at epoch begin takes effect after the first batch, as in Keras") {
  strings seen;
  cue_test::learner learner;
  cue::fit(learner, two_batches, {.epochs = 2}, stop_at_epoch_begin{}, recorder{&seen, ""});
  CHECK(seen == strings{"train_begin"} + epoch_events(0, 1) + strings{"epoch_end:0", "train_end"});
}

TEST_CASE("an exception thrown by a step: on_exception for every callback, rethrown, no train_end") {
  strings seen;
  cue_test::learner learner;
  learner.throw_at_step = 1;
  keeps_message keeper;
  CHECK_THROWS_WITH(cue::fit(learner, two_batches, {.epochs = 2}, recorder{&seen, "a."}, keeper,
                             recorder{&seen, "b."}),
                    "step failed");
  CHECK(keeper.what == "step failed");
  const strings expected{"a.train_begin",         "b.train_begin",         "a.epoch_begin:0",
                         "b.epoch_begin:0",       "a.train_batch_begin:0:0", "b.train_batch_begin:0:0",
                         "a.train_batch_end:0:0", "b.train_batch_end:0:0", "a.train_batch_begin:0:1",
                         "b.train_batch_begin:0:1", "a.exception",         "b.exception"};
  CHECK(seen == expected);
}

TEST_CASE("an exception thrown by a callback: the same path") {
  strings seen;
  cue_test::learner learner;
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 2}, throws_at_epoch_end{},
                             recorder{&seen, ""}),
                    "callback failed");
  CHECK(seen == strings{"train_begin"} + epoch_events(0, 1) + strings{"exception"});
}

TEST_CASE("a split learner gets on_after_backward between backward and the update") {
  checks_order probe{};
  cue_test::split_learner learner;
  const std::vector<batch> data{{5.0}, {5.0}};
  strings seen;
  cue::fit(learner, data, {.epochs = 1}, probe, cue_test::split_recorder{{&seen, ""}});
  CHECK(probe.seen == 2);
  CHECK(learner.applied == 2);
  CHECK(seen == strings{"train_begin", "epoch_begin:0", "train_batch_begin:0:0",
                        "after_backward:0:0", "train_batch_end:0:0", "train_batch_begin:0:1",
                        "after_backward:0:1", "train_batch_end:0:1", "epoch_end:0", "train_end"});
}

TEST_CASE("train batch hooks see running means, weighted by batch size") {
  running probe;
  cue_test::learner learner;
  const std::vector<batch> data{{1.0, 1}, {4.0, 2}, {7.0, 1}};
  auto h = cue::fit(learner, data, {.epochs = 2}, probe);
  // epoch 0: 1, (1 + 8) / 3, (9 + 7) / 4; reset at epoch 1
  CHECK(probe.loss == std::vector<double>{1.0, 3.0, 4.0, 1.0, 3.0, 4.0});
  CHECK(h["loss"] == std::vector<double>{4.0, 4.0});
  CHECK(h["accuracy"] == std::vector<double>{2.0, 2.0});
}

TEST_CASE("epoch end sees the epoch means plus val_ means; test_end sees them unprefixed") {
  epoch_end_probe probe;
  cue_test::learner learner;
  auto h = cue::fit(learner, two_batches, two_batches, {.epochs = 1}, probe);
  CHECK(probe.loss == 2.0);
  CHECK(probe.val_loss == 20.0);
  CHECK(probe.test_end_loss == 20.0);
  CHECK(probe.validated);
  CHECK(h["val_accuracy"] == std::vector<double>{1.0});
}

TEST_CASE("on epochs without validation the val_ values are NaN and has_log is false") {
  val_presence_probe probe;
  cue_test::learner learner;
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .validation_freq = 2}, probe);
  CHECK(probe.has == std::vector<bool>{false, true});
  CHECK(probe.nan == std::vector<bool>{true, false});
}

TEST_CASE("the context carries params, epoch, batch and the global step") {
  step_probe probe;
  cue_test::learner learner;
  cue::fit(learner, two_batches, {.epochs = 3, .initial_epoch = 1, .validation_freq = 1}, probe);
  CHECK(probe.steps == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(probe.params.epochs == 3);
  CHECK(probe.params.initial_epoch == 1);
  CHECK(probe.params.steps == 2);
}

TEST_CASE("invalid fit options are rejected naming the option") {
  cue_test::learner learner;
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = -1}),
                    "cue: fit_options.epochs must be >= 0, got -1");
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, one_batch, {.epochs = 1, .validation_freq = 0}),
                    "cue: fit_options.validation_freq must be >= 1, got 0");
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 1, .initial_epoch = -2}),
                    "cue: fit_options.initial_epoch must be >= 0, got -2");
  CHECK(learner.trained == 0);
}

TEST_CASE("evaluate: test events only, mean logs returned, a stop ends it early") {
  strings seen;
  cue_test::learner learner;
  const auto means = cue::evaluate(learner, two_batches, recorder{&seen, ""});
  CHECK(cue::get<"loss">(means) == 20.0);
  CHECK(seen == validation_events(0, 2));

  seen.clear();
  const auto partial = cue::evaluate(learner, two_batches, stop_first_test_batch{}, recorder{&seen, ""});
  CHECK(cue::get<"loss">(partial) == 10.0);
  CHECK(seen == validation_events(0, 1));
  CHECK(learner.trained == 0);
}

TEST_CASE("predict: predict events, outputs in order, a stop ends it early") {
  strings seen;
  cue_test::learner learner;
  const auto out = cue::predict(learner, two_batches, recorder{&seen, ""});
  CHECK(out == std::vector<double>{-1.0, -3.0});
  CHECK(seen == strings{"predict_begin", "predict_batch_begin:0:0", "predict_batch_end:0:0",
                        "predict_batch_begin:0:1", "predict_batch_end:0:1", "predict_end"});
  CHECK(cue::predict(learner, two_batches, stop_first_predict_batch{}).size() == 1);
}

TEST_CASE("data can be any re-iterable range, such as a dataset that makes batches on the fly") {
  cue_test::learner learner;
  const cue_test::generated_batches data{3};
  auto h = cue::fit(learner, data, {.epochs = 2});
  CHECK(h["loss"] == std::vector<double>{2.0, 2.0});
  CHECK(learner.trained == 6);
}

TEST_CASE("without progbar_logger in the program, verbose automatic is silent and 1 or 2 an error") {
  cue_test::learner learner;
  const std::vector<cue_test::batch> one{{1.0}};
  CHECK(cue::fit(learner, one, {.epochs = 2}).epochs().size() == 2);
  CHECK_THROWS_WITH(cue::fit(learner, one, {.epochs = 1, .verbose = 1}),
                    Catch::Contains("lives in <cue/callbacks/progbar_logger.hpp>") &&
                        Catch::Contains("or set .verbose = 0"));
}
