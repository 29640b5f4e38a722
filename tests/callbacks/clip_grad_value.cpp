#include <cue/callbacks/clip_grad_value.hpp>

#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;

TEST_CASE("clip_grad_value clamps every gradient before the update") {
  using ctx = cue::context<cue_test::grad_learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_after_backward<cue::clip_grad_value, ctx>);
  cue_test::grad_learner learner{.next_grads = {-3.0f, 0.25f, 2.0f}};
  cue::fit(learner, std::vector<batch>{{1.0}}, {.epochs = 1}, cue::clip_grad_value({.clip_value = 0.5}));
  CHECK(learner.applied[0] == std::vector<float>{-0.5f, 0.25f, 0.5f});
  CHECK_THROWS_AS(cue::clip_grad_value({.clip_value = -1}), std::invalid_argument);
}
