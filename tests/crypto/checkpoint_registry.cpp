#include <cue/callbacks/checkpoint_registry.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/crypto/sha256.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;
namespace fs = std::filesystem;

namespace {
const std::vector<batch> one_batch{{1.0}};

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("cue-registry-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
std::vector<nlohmann::json> lines_of(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}
// coreutils' sha256sum: a digest computed independently of libcrypto.
std::string sha256sum(const fs::path& p) {
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(("sha256sum '" + p.string() + "'").c_str(), "r"), &pclose);
  char buf[65] = {};
  REQUIRE(std::fread(buf, 1, 64, pipe.get()) == 64);
  return buf;
}
}  // namespace

TEST_CASE("every checkpoint written is registered with its digest; every one removed, too") {
  const auto dir = fresh_dir("topk");
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7, 0.6}};
  cue::model_checkpoint<"val_loss"> mc({.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 2});
  std::ostringstream log;
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0}, mc,
           cue::checkpoint_registry({.path = (dir / "registry.jsonl").string(), .run = "r1", .log = &log}));
  CHECK(log.str().empty());  // every file digested before top-k removed it
  const auto lines = lines_of(dir / "registry.jsonl");
  for (const auto& l : lines)
    if (l["event"] == "checkpoint_saved") CHECK(l["sha256"].is_string());
  std::vector<std::string> events;
  for (const auto& l : lines) events.push_back(l["event"].get<std::string>() + " " + fs::path(l["path"].get<std::string>()).filename().string());
  // m-3 (0.7) pushes out m-1 (0.9); m-4 (0.6) pushes out m-3.
  CHECK(events == std::vector<std::string>{"checkpoint_saved m-1.bin", "checkpoint_saved m-2.bin", "checkpoint_removed m-1.bin",
                                           "checkpoint_saved m-3.bin", "checkpoint_removed m-3.bin", "checkpoint_saved m-4.bin"});
  const auto& best = lines[1];
  CHECK(best["run"] == "r1");
  CHECK(best["epoch"] == 1);
  CHECK(best["step"] == 2);
  CHECK(best["monitor"] == "val_loss");
  CHECK(best["score"] == 0.5);
  CHECK(best["best"] == true);
  CHECK(best["aliases"] == nlohmann::json::array({"latest", "best"}));
  CHECK(best["sha256"] == sha256sum(dir / "m-2.bin"));
  CHECK(best["size"] == fs::file_size(dir / "m-2.bin"));
  CHECK(best["time"].get<std::string>().ends_with("Z"));
  CHECK(lines[5]["aliases"] == nlohmann::json::array({"latest"}));  // 0.6 is not the best
  fs::remove_all(dir);
}

TEST_CASE("a line a crash cut short is removed before new lines are appended") {
  const auto dir = fresh_dir("torn");
  const auto registry = dir / "registry.jsonl";
  std::ofstream(registry) << R"({"event": "checkpoint_saved", "path": "old"})" << "\n" << R"({"event": "checkp)";
  scripted_learner learner{.val_loss = {0.9}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m.bin").string()}),
           cue::checkpoint_registry({.path = registry.string()}));
  const auto lines = lines_of(registry);  // every line parses
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["path"] == "old");
  CHECK(lines[1]["event"] == "checkpoint_saved");
  fs::remove_all(dir);
}

TEST_CASE("a registry that cannot be written is a warning, never an exception into training") {
  const auto dir = fresh_dir("unwritable");
  fs::create_directories(dir / "registry.jsonl");  // a directory where the file should be
  scripted_learner learner{.val_loss = {0.9, 0.8}};
  std::ostringstream log;
  CHECK_NOTHROW(cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0},
                         cue::model_checkpoint<"val_loss">({.filepath = (dir / "m.bin").string()}),
                         cue::checkpoint_registry({.path = (dir / "registry.jsonl").string(), .log = &log})));
  CHECK_THAT(log.str(), Catch::Contains("cue: checkpoint_registry: " + (dir / "registry.jsonl").string()));
  fs::remove_all(dir);
}

TEST_CASE("libcrypto's SHA-256 gives the published digest") {
  const auto dir = fresh_dir("sha");
  std::ofstream(dir / "abc") << "abc";
  CHECK(cue::crypto::sha256_of_file(dir / "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK_THROWS_WITH(cue::crypto::sha256_of_file(dir / "missing"), Catch::Contains("cannot read"));
  fs::remove_all(dir);
}
