#include <cue/callbacks/clip_grad_norm.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;

TEST_CASE("clip_grad_norm handles on_after_backward only and needs gradients") {
  using ctx = cue::context<cue_test::grad_learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_after_backward<cue::clip_grad_norm, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<cue::clip_grad_norm, ctx>);
  STATIC_REQUIRE(cue::has_gradients<cue_test::grad_learner>);
  CHECK(cue::clip_grad_norm_options{}.max_norm == 1.0);
  CHECK(cue::clip_grad_norm_options{}.norm_type == 2.0);
}

TEST_CASE("gradients above max_norm are scaled to it, before the update; below, untouched") {
  cue_test::grad_learner learner{.next_grads = {3.0f, 4.0f}};  // norm 5
  const std::vector<batch> data{{1.0}};
  cue::clip_grad_norm clip({.max_norm = 1.0});
  cue::fit(learner, data, {.epochs = 1}, clip);
  CHECK(clip.last_norm() == Approx(5.0));
  REQUIRE(learner.applied.size() == 1);
  CHECK(learner.applied[0][0] == Approx(0.6f).epsilon(1e-5));
  CHECK(learner.applied[0][1] == Approx(0.8f).epsilon(1e-5));

  cue_test::grad_learner small{.next_grads = {0.3f, 0.4f}};
  cue::fit(small, data, {.epochs = 1}, cue::clip_grad_norm({.max_norm = 1.0}));
  CHECK(small.applied[0] == std::vector<float>{0.3f, 0.4f});
}

TEST_CASE("the infinity norm is the largest magnitude") {
  cue_test::grad_learner learner{.next_grads = {-4.0f, 1.0f}};
  cue::clip_grad_norm clip({.max_norm = 2.0, .norm_type = INFINITY});
  cue::fit(learner, std::vector<batch>{{1.0}}, {.epochs = 1}, clip);
  CHECK(clip.last_norm() == 4.0);
  CHECK(learner.applied[0][0] == Approx(-2.0f).epsilon(1e-5));
}

TEST_CASE("clip_grad_norm rejects a non-positive max_norm") {
  CHECK_THROWS_WITH(cue::clip_grad_norm({.max_norm = 0}),
                    "cue: clip_grad_norm: max_norm must be > 0, got 0.0");
}
