#include <cue/context.hpp>

#include <catch2/catch.hpp>

TEST_CASE("a context is a view of the loop's state") {
  cue::run_state state;
  state.epoch = 3;
  state.batch = 4;
  state.step = 40;
  state.params.epochs = 9;
  int learner = 7;
  cue::logs<"loss"> logs{0.5};
  cue::context ctx(state, learner, logs);
  CHECK(ctx.epoch() == 3);
  CHECK(ctx.batch() == 4);
  CHECK(ctx.step() == 40);
  CHECK(ctx.params().epochs == 9);
  CHECK(&ctx.learner() == &learner);
  CHECK(cue::get<"loss">(ctx.logs()) == 0.5);
  CHECK_FALSE(ctx.exception());

  CHECK_FALSE(ctx.stop_requested());
  ctx.request_stop();
  CHECK(state.stop);
  CHECK(ctx.stop_requested());
}

TEST_CASE("has_log: absent names are false at compile time, val_ names follow validation") {
  cue::run_state state;
  int learner = 0;
  cue::logs<"loss", "val_loss"> logs;
  cue::context ctx(state, learner, logs);
  STATIC_REQUIRE_FALSE(cue::has_log<"accuracy">(ctx));
  CHECK(cue::has_log<"loss">(ctx));
  CHECK_FALSE(cue::has_log<"val_loss">(ctx));
  state.validated = true;
  CHECK(cue::has_log<"val_loss">(ctx));
}
