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

#include <cue/callbacks/checkpoint_registry.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/fit.hpp>
#include <nlohmann/json.hpp>

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

#ifdef CUE_RCLONE
// rclone (Debian's), on its local backend: the recipe docs/callbacks.md gives for a bucket.
TEST_CASE("with a removal command, top-k holds off the machine too; without one, every copy is kept") {
  const auto dir = fresh_dir("remove-command");
  const auto bucket = dir / "bucket";
  fs::create_directories(bucket);
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7, 0.6}};
  std::ostringstream log;
  cue::mirror_checkpoints mirror({.destination = bucket.string(),
                                  .command = {CUE_RCLONE, "copyto", "{path}", "{uri}"},
                                  .log = &log,
                                  .remove_command = {CUE_RCLONE, "deletefile", "{uri}"}});
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 2}), mirror);
  CHECK(log.str().empty());
  CHECK(mirror.copied() == 4);
  CHECK(files_in(bucket) == std::set<std::string>{"m-2.bin", "m-4.bin"});  // as kept locally

  const auto kept = dir / "kept";
  fs::create_directories(kept);
  scripted_learner again{.val_loss = {0.9, 0.5, 0.7, 0.6}};
  cue::fit(again, one_batch, one_batch, {.epochs = 4, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "k-{epoch}.bin").string(), .save_top_k = 2}),
           cue::mirror_checkpoints({.destination = kept.string(), .command = {"cp", "{path}", "{uri}"}}));
  CHECK(files_in(kept).size() == 4);
  fs::remove_all(dir);
}
#endif

TEST_CASE("a removal command that fails is reported with its output; training goes on") {
  const auto dir = fresh_dir("remove-fails");
  scripted_learner learner{.val_loss = {0.9, 0.5}};
  std::ostringstream log;
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 1}),
           cue::mirror_checkpoints({.destination = "s3://bucket/run", .command = {"true"}, .log = &log,
                                    .remove_command = {"sh", "-c", "echo object not found: $0 >&2; exit 3", "{uri}"}}));
  CHECK_THAT(log.str(), Catch::Contains("cue: mirror_checkpoints: could not remove the copy s3://bucket/run/m-1.bin: sh exited "
                                        "with status 3; its last output:") &&
                            Catch::Contains("object not found: s3://bucket/run/m-1.bin"));
  fs::remove_all(dir);
}

TEST_CASE("the summary and the registry say where each copy went and which files top-k deleted") {
  const auto dir = fresh_dir("where");
  const auto copies = dir / "offsite";
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0},
           cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string(), .save_top_k = 2}),
           cue::mirror_checkpoints({.destination = copies.string()}),
           cue::checkpoint_registry({.path = (dir / "registry.jsonl").string()}),
           cue::summary_report({.directory = dir.string()}));
  const auto summary = nlohmann::json::parse(read(dir / "summary.json"));
  REQUIRE(summary["checkpoints"].size() == 3);
  CHECK(summary["checkpoints"][0]["deleted"] == true);  // m-1 (0.9) fell out of the best 2 at epoch 3
  CHECK(summary["checkpoints"][1]["deleted"] == false);
  CHECK(summary["checkpoints"][2]["deleted"] == false);
  for (int i = 0; i < 3; ++i)
    CHECK(summary["checkpoints"][i]["remote"] == (copies / ("m-" + std::to_string(i + 1) + ".bin")).string());
  const auto md = read(dir / "summary.md");
  CHECK_THAT(md, Catch::Contains("| " + (dir / "m-1.bin").string() + " | 1 | 0.9000 | yes | yes | " +
                                 (copies / "m-1.bin").string() + " |"));
  std::vector<nlohmann::json> uploaded;
  std::istringstream lines(read(dir / "registry.jsonl"));
  for (std::string line; std::getline(lines, line);)
    if (auto j = nlohmann::json::parse(line); j["event"] == "checkpoint_uploaded") uploaded.push_back(j);
  REQUIRE(uploaded.size() == 3);
  CHECK(uploaded[1]["path"] == (dir / "m-2.bin").string());
  CHECK(uploaded[1]["uri"] == (copies / "m-2.bin").string());
  CHECK(uploaded[1]["sha256"] == sha256sum(copies / "m-2.bin"));
  CHECK(uploaded[1]["size"] == fs::file_size(copies / "m-2.bin"));
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
