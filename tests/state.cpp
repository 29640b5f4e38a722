// cue::state: numbers written so that they read back exactly, and the snapshot codec built on them.
#include <cue/state.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

TEST_CASE("floating-point numbers go through text exactly, whatever blanks separate them") {
  const std::vector<float> floats{0.1f, -3.4028235e38f, 1.17549435e-38f, 1e-45f, 123456.789f};
  CHECK(cue::state::to_numbers<float>(cue::state::numbers(floats)) == floats);
  const std::vector<double> doubles{0.1, 1.0 / 3.0, -1.7976931348623157e308, 4.9e-324};
  CHECK(cue::state::to_numbers<double>(cue::state::numbers(doubles)) == doubles);
  CHECK(cue::state::to_numbers<double>("  1 2\t3\n4\r\n") == std::vector<double>{1, 2, 3, 4});
  CHECK(cue::state::to_numbers<double>("").empty());
  const auto special = cue::state::to_numbers<double>("nan inf -inf");
  CHECK(std::isnan(special[0]));
  CHECK(special[1] == std::numeric_limits<double>::infinity());
  CHECK(special[2] == -std::numeric_limits<double>::infinity());
}

TEST_CASE("a word that is not a number is an error that names it") {
  CHECK_THROWS_WITH(cue::state::to_numbers<double>("1 2x 3"), Catch::Contains("'2x' is not a number"));
}

TEST_CASE("a snapshot of ranges of floats goes through a state_dict exactly; a wrong count is an error") {
  using snapshot = std::vector<std::vector<float>>;
  const snapshot weights{{0.1f, -0.2f, 3e-39f}, {}, {1.0f}};
  const auto saved = cue::snapshot_codec<snapshot>::save(weights);
  CHECK(saved.at("count") == "3");
  CHECK(cue::snapshot_codec<snapshot>::load(saved) == weights);
  auto damaged = saved;
  damaged["count"] = std::to_string(saved.size());  // one more part than it holds
  CHECK_THROWS_WITH(cue::snapshot_codec<snapshot>::load(damaged), Catch::Contains("has no '3'"));
}
