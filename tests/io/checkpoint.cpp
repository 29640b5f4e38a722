#include <cue/io/checkpoint.hpp>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

namespace {
// A .npy of `data` bytes under `header` (padded as numpy pads it), version 1.0.
std::string npy(std::string header, const std::string& data) {
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}
}  // namespace

TEST_CASE("the .npy reader takes what numpy writes for float32 and refuses the rest") {
  const float values[6] = {1, 2, 3, 4, 5, 6};
  const std::string six(reinterpret_cast<const char*>(values), sizeof values);
  using cue::io::detail::read_float32_npy;
  const auto a = read_float32_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", six));
  REQUIRE(a.shape().size() == 2);
  CHECK(a(1, 2) == 6.0f);
  CHECK(read_float32_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", six)).size() == 6);
  const xt::xarray<float> written{{1.5f, 2.5f}};
  const bool same = read_float32_npy(xt::dump_npy(written)) == written;  // xtensor's writer, our reader
  CHECK(same);

  for (const auto& [header, why] : std::vector<std::pair<std::string, std::string>>{
           {"{'descr': '', 'fortran_order': False, 'shape': (6,), }", "not a little-endian float32"},
           {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", "not a little-endian float32"},
           {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", "Fortran-order"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", "its shape needs 32"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", "shape is malformed"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3", "shape is not closed"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", "more numbers than the file"},
           {"{'descr': '<f4', 'shape': (6,), }", "no 'fortran_order'"},
       }) {
    INFO(header);
    CHECK_THROWS_WITH(read_float32_npy(npy(header, six)), Catch::Contains(why));
  }
  CHECK_THROWS_WITH(read_float32_npy("\x93NUMPY"), "no .npy magic");
  CHECK_THROWS_WITH(read_float32_npy(std::string("\x93NUMPY\x01\x00\xff\xff", 10)), "truncated .npy header");
}
