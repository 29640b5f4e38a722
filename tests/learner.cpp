// Concept tables for the learner contract.
#include <cue/learner.hpp>
#include <cue/learner_files.hpp>

#include <filesystem>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace {
using cue_test::batch;
struct full {
  cue::logs<"loss"> train_step(const batch&);
  cue::logs<"loss"> test_step(const batch&);
  int predict_step(const batch&);
  std::vector<float> state() const;
  void load_state(const std::vector<float>&);
  double learning_rate() const;
  void set_learning_rate(double);
  void save(const std::filesystem::path&);
  void load(const std::filesystem::path&);
  void save_weights(const std::filesystem::path&);
  void load_weights(const std::filesystem::path&);
};
struct returns_double {
  double train_step(const batch&);
};
struct bare {};
}  // namespace

TEST_CASE("learner capabilities are found by concepts") {
  STATIC_REQUIRE(cue::learner<full, batch>);
  STATIC_REQUIRE(cue::has_train_step<full, batch>);
  STATIC_REQUIRE(!cue::has_split_step<full, batch>);
  STATIC_REQUIRE(cue::has_test_step<full, batch>);
  STATIC_REQUIRE(cue::has_predict_step<full, batch>);
  STATIC_REQUIRE(cue::has_state<full>);
  STATIC_REQUIRE(cue::has_learning_rate<full>);
  STATIC_REQUIRE(cue::has_save<full>);
  STATIC_REQUIRE(cue::has_save_weights<full>);

  STATIC_REQUIRE(cue::learner<cue_test::split_learner, batch>);
  STATIC_REQUIRE(cue::has_split_step<cue_test::split_learner, batch>);
  STATIC_REQUIRE(!cue::has_train_step<cue_test::split_learner, batch>);

  STATIC_REQUIRE(!cue::learner<returns_double, batch>);  // steps return cue::logs
  STATIC_REQUIRE(!cue::learner<bare, batch>);
  STATIC_REQUIRE(!cue::has_state<bare>);
  STATIC_REQUIRE(!cue::has_learning_rate<bare>);
  STATIC_REQUIRE(!cue::has_save<bare>);
  STATIC_REQUIRE(!cue::has_save_weights<bare>);
  STATIC_REQUIRE(!cue::learner<full, int>);  // the batch type matters
}

TEST_CASE("capabilities report what they check") {
  STATIC_REQUIRE(cue::capability::state::met<full>);
  STATIC_REQUIRE(!cue::capability::learning_rate::met<bare>);
  STATIC_REQUIRE(cue::capability::save::met<full>);
  STATIC_REQUIRE(!cue::capability::save_weights::met<bare>);
}
