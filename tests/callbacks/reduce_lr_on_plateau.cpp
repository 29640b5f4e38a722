#include <cue/callbacks/reduce_lr_on_plateau.hpp>

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
using ctx = cue::context<scripted_learner, cue::logs<"loss", "val_loss">>;
}  // namespace

TEST_CASE("reduce_lr_on_plateau handles train begin and epoch end; needs a learning rate") {
  using rl = cue::reduce_lr_on_plateau<"val_loss">;
  STATIC_REQUIRE(cue::handles_on_train_begin<rl, ctx>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<rl, ctx>);
  STATIC_REQUIRE(!cue::handles_on_epoch_begin<rl, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<rl, ctx>);
  STATIC_REQUIRE(std::is_same_v<rl::needs, cue::needs<cue::capability::learning_rate>>);
}

TEST_CASE("reduce_lr_on_plateau's defaults are Keras's") {
  const cue::reduce_lr_on_plateau_options o;
  CHECK(o.factor == 0.1);
  CHECK(o.patience == 10);
  CHECK(o.verbose == 0);
  CHECK(o.mode == cue::mode::automatic);
  CHECK(o.min_delta == 1e-4);
  CHECK(o.cooldown == 0);
  CHECK(o.min_lr == 0.0);
}

TEST_CASE("through fit: the rate drops after patience; the logs carry the rate each epoch used") {
  scripted_learner learner{.val_loss = {1.0, 1.0, 1.0, 1.0, 1.0}, .lr = 0.1};
  cue::reduce_lr_on_plateau<"val_loss"> rl({.factor = 0.5, .patience = 2, .min_lr = 0.03});
  auto h = cue::fit(learner, one_batch, one_batch, {.epochs = 5}, rl);
  // epoch 0 sets the best; 1, 2 wait -> reduce after 2; 3, 4 wait -> reduce after 4 (to min_lr)
  CHECK(h["learning_rate"] == std::vector<double>{0.1, 0.1, 0.1, 0.05, 0.05});
  CHECK(learner.lr == 0.03);
  CHECK(rl.wait() == 0);
}

TEST_CASE("each reduction is announced as a learning_rate_changed event") {
  scripted_learner learner{.val_loss = {1.0, 1.0, 1.0, 1.0, 1.0}, .lr = 0.1};
  cue::reduce_lr_on_plateau<"val_loss"> rl({.factor = 0.5, .patience = 2, .min_lr = 0.03});
  cue_test::event_log<cue::learning_rate_changed> log;
  cue::fit(learner, one_batch, one_batch, {.epochs = 5}, rl, log);
  const auto& changes = log.of<cue::learning_rate_changed>();
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].old_rate == 0.1);
  CHECK(changes[0].new_rate == 0.05);
  CHECK(changes[1].old_rate == 0.05);
  CHECK(changes[1].new_rate == 0.03);  // min_lr
}

TEST_CASE("factor >= 1 is rejected at construction, as in Keras") {
  CHECK_THROWS_WITH(cue::reduce_lr_on_plateau<"val_loss">({.factor = 1.0}),
                    "cue: reduce_lr_on_plateau: factor must be < 1 (it multiplies the rate), got 1.0");
  CHECK_THROWS_AS(cue::reduce_lr_on_plateau<"val_loss">({.patience = -1}), std::invalid_argument);
  CHECK_THROWS_AS(cue::reduce_lr_on_plateau<"val_loss">({.cooldown = -1}), std::invalid_argument);
}

TEST_CASE("verbose: each reduction printed as Keras prints it, the rate as Python's repr") {
  scripted_learner learner{.val_loss = {1.0, 1.0, 1.0}, .lr = 0.1};
  cue_test::captured_stdout out;
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0},
           cue::reduce_lr_on_plateau<"val_loss">({.patience = 2, .verbose = 1}));
  CHECK(out.str() == "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.010000000000000002.\n");
}
