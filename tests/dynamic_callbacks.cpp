#include <cue/dynamic_callbacks.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "support.hpp"

namespace {
// A run-time callback chosen by name, as from a configuration file.
struct log_loss : cue::dynamic_callback {
  std::vector<std::string>* out;
  explicit log_loss(std::vector<std::string>* o) : out(o) {}
  void on_epoch_end(cue::dynamic_context& ctx) override {
    out->push_back("loss=" + std::to_string(ctx.logs().at("loss")));
  }
};
struct stop_at_first_batch : cue::dynamic_callback {
  void on_train_batch_end(cue::dynamic_context& ctx) override { ctx.request_stop(); }
};
struct count_backward : cue::dynamic_callback {
  int n = 0;
  void on_after_backward(cue::dynamic_context&) override { ++n; }
};
}  // namespace

TEST_CASE("dynamic callbacks are chosen at run time and steer fit like static ones") {
  std::vector<std::string> seen;
  cue::dynamic_callbacks list;
  for (std::string name : {"log_loss", "stop"}) {
    if (name == "log_loss") list.add(std::make_unique<log_loss>(&seen));
    if (name == "stop") list.emplace<stop_at_first_batch>();
  }
  CHECK(list.size() == 2);
  cue_test::learner learner;
  const std::vector<cue_test::batch> data{{2.0}, {4.0}};
  cue::fit(learner, data, {.epochs = 3}, list);
  CHECK(seen == std::vector<std::string>{"loss=2.000000"});
  CHECK(learner.trained == 1);
}

TEST_CASE("dynamic logs name what is missing") {
  std::string_view names[] = {"loss"};
  double values[] = {1.0};
  cue::dynamic_logs logs(names, values);
  CHECK(logs.at("loss") == 1.0);
  CHECK(logs.find("acc") == nullptr);
  CHECK_THROWS_WITH(logs.at("acc"), "cue: these logs have no value named 'acc'; they have: loss");
}

TEST_CASE("dynamic callbacks hear on_after_backward only from split learners") {
  cue::dynamic_callbacks list;
  auto& counter = list.emplace<count_backward>();
  cue_test::split_learner split;
  const std::vector<cue_test::batch> data{{1.0}, {1.0}};
  cue::fit(split, data, {.epochs = 1}, list);
  CHECK(counter.n == 2);
  cue_test::learner fused;  // compiles: the hook is simply not emitted
  cue::fit(fused, data, {.epochs = 1}, list);
  CHECK(counter.n == 2);
}

TEST_CASE("adding a null callback is an error") {
  cue::dynamic_callbacks list;
  CHECK_THROWS_AS(list.add(nullptr), std::invalid_argument);
}
