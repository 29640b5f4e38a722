#include <cue/callbacks/lambda_callback.hpp>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;

TEST_CASE("a lambda_callback handles exactly the hooks it was given") {
  auto cb = cue::lambda_callback{cue::on_epoch_end([](auto&) {}), cue::on_train_begin([](auto&) {})};
  using cb_t = decltype(cb);
  using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::callback<cb_t>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<cb_t, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_begin<cb_t, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<cb_t, ctx>);
}

TEST_CASE("the functions run on their events, with the context, in fit") {
  std::vector<std::string> seen;
  cue_test::learner learner;
  const std::vector<batch> data{{1.0}, {3.0}};
  cue::fit(learner, data, {.epochs = 2},
           cue::lambda_callback{
               cue::on_train_begin([&](auto&) { seen.push_back("begin"); }),
               cue::on_epoch_end([&](auto& ctx) {
                 seen.push_back("loss " + std::to_string(cue::get<"loss">(ctx.logs())));
                 if (ctx.epoch() == 0) ctx.request_stop();
               }),
               cue::on_test_end([&](auto&) { seen.push_back("never: no validation"); })});
  CHECK(seen == std::vector<std::string>{"begin", "loss 2.000000"});
}
