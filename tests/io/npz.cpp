#include <cue/io/npz.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace {
const fs::path file = fs::temp_directory_path() / "cue-npz-test.npz";
std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void write(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}
}  // namespace

TEST_CASE("npz round trip keeps names, shapes and values") {
  std::map<std::string, xt::xarray<float>> arrays;
  arrays["a"] = xt::xarray<float>{{1.5f, -2.0f, 3.25f}, {4.0f, 5.0f, 6.0f}};
  arrays["b"] = xt::xarray<float>{0.125f};
  cue::io::write_npz(file.string(), arrays);
  const auto back = cue::io::read_npz(file.string());
  REQUIRE(back.size() == 2);
  CHECK(back.at("a") == arrays["a"]);
  CHECK(back.at("b") == arrays["b"]);
  CHECK(read(file).substr(0, 4) == std::string("PK\x03\x04", 4));  // a zip, as numpy.savez writes
}

TEST_CASE("npz errors name the file and the problem") {
  std::map<std::string, xt::xarray<float>> arrays;
  arrays["a"] = xt::xarray<float>{1.0f, 2.0f, 3.0f, 4.0f};
  cue::io::write_npz(file.string(), arrays);
  const std::string good = read(file);

  write(file, good.substr(0, good.size() / 2));
  CHECK_THROWS_WITH(cue::io::read_npz(file.string()), Catch::Contains(file.string()) && Catch::Contains("truncated"));

  std::string flipped = good;
  flipped[flipped.find("\x93NUMPY") + 80] ^= 0x01;  // a byte of the data
  write(file, flipped);
  CHECK_THROWS_WITH(cue::io::read_npz(file.string()), Catch::Contains("checksum mismatch in entry a.npy"));

  write(file, "not a zip at all");
  CHECK_THROWS_WITH(cue::io::read_npz(file.string()), Catch::Contains("not an .npz archive"));

  fs::remove(file);
  CHECK_THROWS_WITH(cue::io::read_npz(file.string()), "cue: cannot open " + file.string());
}
