#include <cue/logs.hpp>

#include <catch2/catch.hpp>

using cue::logs;

TEST_CASE("logs are named doubles, all zero by default") {
  logs<"loss", "accuracy"> l;
  CHECK(cue::get<"loss">(l) == 0.0);
  CHECK(cue::get<"accuracy">(l) == 0.0);
  STATIC_REQUIRE(logs<"loss", "accuracy">::size == 2);
  STATIC_REQUIRE(logs<>::size == 0);
}

TEST_CASE("a step can return braces, one value per name in order") {
  auto step = []() -> logs<"loss", "accuracy"> { return {0.25, 0.75}; };
  const auto l = step();
  CHECK(cue::get<"loss">(l) == 0.25);
  CHECK(cue::get<"accuracy">(l) == 0.75);
  STATIC_REQUIRE(!std::is_constructible_v<logs<"loss", "accuracy">, double>);  // exactly one per name
}

TEST_CASE("get gives a writable reference") {
  logs<"loss"> l{1.0};
  cue::get<"loss">(l) = 2.5;
  CHECK(l.values[0] == 2.5);
}

TEST_CASE("names, membership and positions are known at compile time") {
  using L = logs<"loss", "val_loss">;
  STATIC_REQUIRE(L::contains<"val_loss">);
  STATIC_REQUIRE(!L::contains<"val_los">);
  STATIC_REQUIRE(L::index_of<"val_loss"> == 1);
  STATIC_REQUIRE(L::names[0] == "loss");
  STATIC_REQUIRE(cue::get<"val_loss">(L{1.0, 2.0}) == 2.0);
}

TEST_CASE("prefixing and joining build the epoch logs' names") {
  STATIC_REQUIRE(std::is_same_v<cue::prefixed_logs<"val_", logs<"loss", "accuracy">>,
                                logs<"val_loss", "val_accuracy">>);
  STATIC_REQUIRE(std::is_same_v<cue::joined_logs<logs<"loss">, logs<"val_loss">>,
                                logs<"loss", "val_loss">>);
  const auto j = cue::join(logs<"loss">{1.0}, logs<"val_loss">{2.0});
  CHECK(cue::get<"loss">(j) == 1.0);
  CHECK(cue::get<"val_loss">(j) == 2.0);
}

TEST_CASE("for_each_log visits names and values in order") {
  std::string seen;
  cue::for_each_log(logs<"a", "b">{1.0, 2.0}, [&](std::string_view n, double v) {
    seen += std::string(n) + "=" + std::to_string(static_cast<int>(v)) + ";";
  });
  CHECK(seen == "a=1;b=2;");
}
