// The checkpoint registry on a real full disk: a small tmpfs that tests/CMakeLists.txt mounts in a
// private mount namespace and names in CUE_FULL_DISK.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/checkpoint_registry.hpp>
#include <cue/reporter.hpp>

#include "../support.hpp"

namespace fs = std::filesystem;

namespace {
using cue_test::full_disk;
std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}
std::string line(int n, std::size_t padding) {
  return nlohmann::json{{"event", "checkpoint_saved"}, {"n", n}, {"pad", std::string(padding, 'p')}}.dump() + "\n";
}
// Fills the disk until a write fails: what is left is the partly used last page of other files.
void fill(const fs::path& filler) {
  std::ofstream out(filler, std::ios::binary);
  const std::string block(4096, 'f');
  while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
  }
}
}  // namespace

TEST_CASE("a short write on a full disk is cut back: the registry never holds a torn line") {
  const auto registry = full_disk() / "registry.jsonl";
  const auto filler = full_disk() / "filler";
  std::ostringstream said;
  cue::detail::registry_file file(registry.string(), cue::reporter::make("checkpoint_registry", &said));
  REQUIRE(file.append(line(1, 10)));
  fill(filler);
  // 20 KiB cannot fit the rest of the registry's last page: write(2) writes part of it, then stops.
  CHECK_FALSE(file.append(line(2, 20000)));
  CHECK(said.str().find("No space left on device") != std::string::npos);
  CHECK(said.str().find("the registry is as it was before it") != std::string::npos);
  fs::remove(filler);
  REQUIRE(file.append(line(3, 10)));
  // Before: half of line 2 stayed, and line 3 was glued to it.
  const auto lines = lines_of(registry);
  REQUIRE(lines.size() == 2);
  CHECK(nlohmann::json::parse(lines[0])["n"] == 1);
  CHECK(nlohmann::json::parse(lines[1])["n"] == 3);
  fs::remove(registry);
}

TEST_CASE("repair keeps a complete last line that only lacks its newline, and cuts a torn one") {
  const auto registry = full_disk() / "repair.jsonl";
  std::ostringstream said;
  cue::detail::registry_file file(registry.string(), cue::reporter::make("checkpoint_registry", &said));
  std::ofstream(registry, std::ios::binary) << line(1, 1) << R"({"event": "checkpoint_saved", "n": 2})";
  REQUIRE(file.append(line(3, 1)));
  std::ofstream(registry, std::ios::binary | std::ios::app) << R"({"event": "checkpoint_sa)";
  REQUIRE(file.append(line(4, 1)));
  // Before: repair deleted line 2, a whole line without its newline.
  std::vector<int> numbers;
  for (const auto& l : lines_of(registry)) numbers.push_back(nlohmann::json::parse(l)["n"].get<int>());
  CHECK(numbers == std::vector<int>{1, 2, 3, 4});
  fs::remove(registry);
}
