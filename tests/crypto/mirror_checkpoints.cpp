#include <cue/callbacks/mirror_checkpoints.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;
namespace fs = std::filesystem;

namespace {
const std::vector<batch> one_batch{{1.0}};

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("cue-mirror-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}
std::string sha256sum(const fs::path& p) {
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(("sha256sum '" + p.string() + "'").c_str(), "r"), &pclose);
  char buf[65] = {};
  REQUIRE(std::fread(buf, 1, 64, pipe.get()) == 64);
  return buf;
}
std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("every checkpoint is copied to the directory, in order, and top-k's removals follow") {
  const auto dir = fresh_dir("dir");
  const auto copies = dir / "offsite";
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7, 0.6}};
  cue_test::event_log<cue::checkpoint_uploaded> uploaded;
  std::ostringstream log;
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 2}),
           cue::mirror_checkpoints({.destination = copies.string(), .log = &log}), uploaded);
  CHECK(log.str().empty());
  CHECK(files_in(copies) == std::set<std::string>{"m-2.bin", "m-4.bin"});  // as kept locally
  CHECK(read(copies / "m-4.bin") == read(dir / "m-4.bin"));
  const auto& done = uploaded.of<cue::checkpoint_uploaded>();
  REQUIRE(done.size() == 4);  // m-1 and m-3 too, before top-k removed them
  CHECK(done[1].path == (dir / "m-2.bin").string());
  CHECK(done[1].uri == (copies / "m-2.bin").string());
  CHECK(done[1].sha256 == sha256sum(copies / "m-2.bin"));
  CHECK(done[1].bytes == fs::file_size(copies / "m-2.bin"));
  for (const auto& name : files_in(dir)) CHECK_FALSE(name.starts_with(".cue-tmp-"));  // the staged copies are gone
  fs::remove_all(dir);
}

TEST_CASE("a command copies when one is given, its placeholders replaced") {
  const auto dir = fresh_dir("command");
  const auto copies = dir / "bucket";
  fs::create_directories(copies);
  scripted_learner learner{.val_loss = {0.9, 0.5}};
  cue::mirror_checkpoints mirror({.destination = copies.string(), .command = {"cp", "{path}", "{uri}"}});
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string()}), mirror);
  CHECK(files_in(copies) == std::set<std::string>{"m-1.bin", "m-2.bin"});
  CHECK(mirror.copied() == 2);
  fs::remove_all(dir);
}

TEST_CASE("a copy that keeps failing is retried, then reported; training goes on") {
  const auto dir = fresh_dir("failing");
  scripted_learner learner{.val_loss = {0.9}};
  std::ostringstream log;
  cue::mirror_checkpoints mirror({.destination = "s3://nowhere", .command = {"false"}, .retries = 2,
                                  .backoff = std::chrono::milliseconds(5), .log = &log});
  CHECK_NOTHROW(cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0},
                         cue::model_checkpoint<"val_loss">({.filepath = (dir / "m.bin").string()}), mirror));
  CHECK(mirror.failed() == 1);
  CHECK_THAT(log.str(), Catch::Contains("cue: mirror_checkpoints: could not copy " + (dir / "m.bin").string() +
                                        " to s3://nowhere/m.bin after 3 attempts: false exited with status 1"));
  fs::remove_all(dir);
}

TEST_CASE("mirror_checkpoints' options are checked") {
  CHECK_THROWS_WITH(cue::mirror_checkpoints({}), Catch::Contains("destination is empty"));
  CHECK_THROWS_WITH(cue::mirror_checkpoints({.destination = "d", .retries = -1}), Catch::Contains("retries must be >= 0"));
}
