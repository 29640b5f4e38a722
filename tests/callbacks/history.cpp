#include <cue/callbacks/history.hpp>

#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>

#include "../support.hpp"

TEST_CASE("history handles train_begin and epoch_end only") {
  using ctx = cue::context<int, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_epoch_end<cue::history, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_begin<cue::history, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<cue::history, ctx>);
}

TEST_CASE("fit returns the per-epoch logs, sorted by name") {
  cue_test::learner learner;
  const std::vector<cue_test::batch> data{{1.0}, {3.0}};
  auto h = cue::fit(learner, data, data, {.epochs = 2});
  CHECK(h.epochs() == std::vector<int>{0, 1});
  std::vector<std::string> names;
  for (const auto& [name, values] : h.values()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"accuracy", "loss", "val_accuracy", "val_loss"});
  CHECK(h["val_loss"] == std::vector<double>{20.0, 20.0});
  CHECK(h.contains("loss"));
  CHECK_THROWS_WITH(h["los"], "cue::history: no values named 'los'; recorded names: accuracy, "
                              "loss, val_accuracy, val_loss");
}

TEST_CASE("a history passed as a callback keeps values across fits and resets epochs (Keras)") {
  cue::history kept;
  cue_test::learner learner;
  const std::vector<cue_test::batch> data{{1.0}};
  cue::fit(learner, data, {.epochs = 2}, kept);
  cue::fit(learner, data, {.epochs = 1}, kept);
  CHECK(kept.epochs() == std::vector<int>{0});
  CHECK(kept["loss"].size() == 3);
}
