// Saving onto a real full disk: a small tmpfs that tests/CMakeLists.txt mounts in a private mount
// namespace and names in CUE_FULL_DISK.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/fit.hpp>
#include <cue/io/archive.hpp>

#include "../support.hpp"

namespace fs = std::filesystem;

namespace {
using cue_test::full_disk;

// One batch per epoch; the epoch's loss and the size of the file it saves come from a script,
// so one checkpoint can be too large for the disk.
struct growing_learner {
  std::vector<double> losses;
  std::vector<std::size_t> sizes;
  std::size_t epoch = 0;
  cue::logs<"loss"> train_step(const cue_test::batch&) { return {losses.at(epoch++)}; }
  void save(const fs::path& p) { cue::io::detail::write_file(p, std::string(sizes.at(epoch - 1), 'w')); }
  void load(const fs::path&) {}
};
const std::vector<cue_test::batch> one_batch{{1.0}};
}  // namespace

TEST_CASE("a save onto a full disk names the system's reason and keeps the previous file") {
  const auto file = full_disk() / "weights.npz";
  cue::io::save_archive(file, {"weights", {{"w", "1"}}, {}});
  const cue::io::archive big{"weights", {}, {{"w.npy", std::string(1 << 20, 'x')}}};
  CHECK_THROWS_WITH(cue::io::save_archive(file, big), Catch::Contains("No space left on device"));
  CHECK(cue::io::load_archive(file).values.at("w") == "1");
  fs::remove(file);
}

TEST_CASE("top-k checkpoints: a write that fails on a full disk evicts nothing and keeps the best") {
  const auto dir = full_disk() / "top-k";
  growing_learner learner{{3.0, 2.0, 1.0}, {8192, 8192, 1 << 20}};
  cue::model_checkpoint<"loss"> top2(
      {.filepath = (dir / "m-{epoch}.bin").string(), .save_best_only = true, .save_top_k = 2});
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 3}, top2), Catch::Contains("No space left on device"));
  CHECK(fs::exists(dir / "m-1.bin"));  // the worst kept file is still there: nothing replaced it
  CHECK(fs::exists(dir / "m-2.bin"));
  CHECK_FALSE(fs::exists(dir / "m-3.bin"));
  CHECK(top2.best_k().size() == 2);
  CHECK(top2.best() == 2.0);  // the best is a checkpoint on disk, not the one that failed
  CHECK(top2.save_count() == 2);
  fs::remove_all(dir);
}
