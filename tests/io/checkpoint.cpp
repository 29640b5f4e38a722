#include <cue/io/checkpoint.hpp>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace {
const fs::path file = fs::temp_directory_path() / "cue-checkpoint-test.npz";
}  // namespace

TEST_CASE("a checkpoint keeps its arrays' names, shapes and values, and its values exactly") {
  cue::io::checkpoint c{"learner", {}, {{"steps", "16777217"}}};
  c.arrays["a"] = xt::xarray<float>{{1.5f, -2.0f, 3.25f}, {4.0f, 5.0f, 6.0f}};
  c.arrays["b"] = xt::xarray<float>{0.125f};
  cue::io::save_checkpoint(file, c);
  const auto back = cue::io::load_checkpoint(file, "learner");
  CHECK(back.kind == "learner");
  REQUIRE(back.arrays.size() == 2);
  CHECK(back.arrays.at("a") == c.arrays["a"]);
  CHECK(back.arrays.at("b") == c.arrays["b"]);
  CHECK(back.value("steps") == "16777217");  // beyond float32's exact integers
  CHECK(back.source == file);
  CHECK(back.array("a", 6)(1, 2) == 6.0f);
  CHECK_THROWS_WITH(back.array("a", 5), "cue: " + file.string() + ": array 'a' holds 6 numbers, this learner expects 5");
  CHECK_THROWS_WITH(back.array("c", 1), "cue: " + file.string() + ": no array 'c'");
  CHECK_THROWS_WITH(back.value("lr"), "cue: " + file.string() + ": no value 'lr'");
  fs::remove(file);
}

TEST_CASE("an entry that is not a float32 array is named") {
  cue::io::save_archive(file, {"weights", {}, {{"x.npy", "not an npy"}}});
  CHECK_THROWS_WITH(cue::io::load_checkpoint(file), Catch::StartsWith("cue: " + file.string() + ": entry 'x.npy' is not a float32 array"));
  cue::io::save_archive(file, {"weights", {}, {{"x.txt", "text"}}});
  CHECK_THROWS_WITH(cue::io::load_checkpoint(file), "cue: " + file.string() + ": entry 'x.txt' is not an .npy array");
  fs::remove(file);
}
