#include <cue/io/atomic_file.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace {
std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
fs::path fresh_dir(const char* name) {
  auto dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  return dir;
}
}  // namespace

TEST_CASE("write_atomically replaces the file and leaves no temporary behind") {
  const auto dir = fresh_dir("cue-atomic-replace");
  const auto target = dir / "sub" / "model.bin";
  cue::io::write_atomically(target, [](const fs::path& tmp) { std::ofstream(tmp) << "one"; });
  CHECK(read(target) == "one");
  cue::io::write_atomically(target, [](const fs::path& tmp) {
    CHECK(tmp.parent_path() == fs::path(tmp).parent_path());
    std::ofstream(tmp) << "two";
  });
  CHECK(read(target) == "two");
  CHECK(std::distance(fs::directory_iterator(dir / "sub"), fs::directory_iterator{}) == 1);
  fs::remove_all(dir);
}

TEST_CASE("a failing writer leaves the previous file as it was") {
  const auto dir = fresh_dir("cue-atomic-fail");
  const auto target = dir / "model.bin";
  cue::io::write_atomically(target, [](const fs::path& tmp) { std::ofstream(tmp) << "good"; });
  CHECK_THROWS_WITH(cue::io::write_atomically(target,
                                              [](const fs::path& tmp) {
                                                std::ofstream(tmp) << "half";
                                                throw std::runtime_error("disk full");
                                              }),
                    "disk full");
  CHECK(read(target) == "good");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);
  CHECK_THROWS_WITH(cue::io::write_atomically(target, [](const fs::path&) {}),
                    "cue: saving " + target.string() + " wrote no file");
  CHECK(read(target) == "good");
  fs::remove_all(dir);
}

TEST_CASE("saving over a directory is refused, naming it") {
  const auto dir = fresh_dir("cue-atomic-dir");
  fs::create_directories(dir / "ckpt");
  CHECK_THROWS_WITH(
      cue::io::write_atomically(dir / "ckpt", [](const fs::path& tmp) { std::ofstream(tmp) << 1; }),
      "cue: cannot save to " + (dir / "ckpt").string() + ": it is a directory");
  fs::remove_all(dir);
}
