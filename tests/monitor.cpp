#include <cue/monitor.hpp>

#include <cmath>
#include <stdexcept>

#include <catch2/catch.hpp>

using cue::mode;

TEST_CASE("automatic mode is decided by the metric's name, without its val_ prefix") {
  STATIC_REQUIRE(cue::direction_of("val_loss") == mode::min);
  STATIC_REQUIRE(cue::direction_of("loss") == mode::min);
  STATIC_REQUIRE(cue::direction_of("val_mae") == mode::min);
  STATIC_REQUIRE(cue::direction_of("sparse_categorical_crossentropy") == mode::min);
  STATIC_REQUIRE(cue::direction_of("rmse") == mode::min);
  STATIC_REQUIRE(cue::direction_of("val_accuracy") == mode::max);
  STATIC_REQUIRE(cue::direction_of("acc") == mode::max);
  STATIC_REQUIRE(cue::direction_of("val_auc") == mode::max);
  STATIC_REQUIRE(cue::direction_of("f1") == mode::max);
  STATIC_REQUIRE(!cue::direction_of("val_throughput").has_value());
}

TEST_CASE("an automatic mode that cannot be decided is rejected, naming the metric") {
  CHECK(cue::resolve_mode(mode::automatic, "val_loss", "x") == mode::min);
  CHECK(cue::resolve_mode(mode::max, "val_loss", "x") == mode::max);  // explicit wins
  CHECK_THROWS_WITH(cue::resolve_mode(mode::automatic, "val_throughput", "early_stopping"),
                    "cue: early_stopping: mode automatic cannot tell whether 'val_throughput' "
                    "improves upwards or downwards; set .mode = cue::mode::min or "
                    "cue::mode::max");
}

TEST_CASE("improvement is Keras's: strict, by more than |min_delta|, anything beats none") {
  CHECK(cue::is_improvement(5.0, std::nullopt, mode::min, 0.0));
  CHECK(cue::is_improvement(std::nan(""), std::nullopt, mode::min, 0.0));  // first value, even NaN
  CHECK(cue::is_improvement(0.9, 1.0, mode::min, 0.0));
  CHECK_FALSE(cue::is_improvement(1.0, 1.0, mode::min, 0.0));   // a tie is not
  CHECK_FALSE(cue::is_improvement(0.75, 0.8125, mode::min, 0.0625));  // exactly min_delta is not
  CHECK(cue::is_improvement(0.74, 0.8125, mode::min, -0.0625));  // the sign of min_delta is ignored
  CHECK(cue::is_improvement(0.9, 0.8, mode::max, 0.05));
  CHECK_FALSE(cue::is_improvement(0.84, 0.8, mode::max, 0.05));
  CHECK_FALSE(cue::is_improvement(std::nan(""), 1.0, mode::min, 0.0));  // NaN never improves
  CHECK_FALSE(cue::is_improvement(0.1, std::nan(""), mode::min, 0.0));  // a NaN best is never beaten
}
