#include <cue/callbacks/training_curves.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>
#include <cue/fit.hpp>
#include <cue/requirements.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;
namespace fs = std::filesystem;

namespace {
const std::vector<batch> one_batch{{1.0}};
std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
// Reads the file at each epoch end and counts the training points of the first panel.
struct look {
  fs::path path;
  std::vector<std::size_t> points;
  void on_epoch_end(auto&) {
    const auto svg = read(path);
    const auto at = svg.find("class=\"train\" points=\"");
    const auto end = svg.find('"', at + 22);
    points.push_back(count(svg.substr(at, end - at), ","));
  }
};
struct fail_at_2 {
  void on_epoch_begin(auto& ctx) {
    if (ctx.epoch() == 2) throw std::runtime_error("power cut");
  }
};
}  // namespace

// The run tests/callbacks/training_curves_svg.py reads back as XML (and renders, where Chromium
// is installed): 6 epochs, validation every other, a learning rate halved twice, val_loss best at
// epoch 4 (1-based). Written to $CUE_SVG_OUT when set.
TEST_CASE("a run drawn: a panel per metric, a line per series, the best epoch marked", "[svg-sample]") {
  const char* out = std::getenv("CUE_SVG_OUT");
  const fs::path path = out ? fs::path(out) : fs::temp_directory_path() / "cue-curves" / "curves.svg";
  fs::remove(path);
  scripted_learner learner{.val_loss = {9, 0.8, 9, 0.5, 9, 0.6}, .lr = 0.1};
  cue::training_curves<"val_loss"> curves({.path = path.string(), .title = "scripted run"});
  cue::fit(learner, one_batch, one_batch, {.epochs = 6, .validation_freq = 2, .verbose = 0},
           cue::reduce_lr_on_plateau<"loss">({.factor = 0.5, .patience = 2}), curves);
  const auto svg = read(path);
  CHECK(svg == curves.draw());  // the file is the last drawing
  CHECK(count(svg, "<g class=\"panel\"") == 2);  // loss, learning_rate
  CHECK(count(svg, "<polyline class=\"train\"") == 2);
  CHECK(count(svg, "<polyline class=\"validation\"") == 1);
  CHECK(count(svg, "<circle class=\"best\"") == 1);
  CHECK_THAT(svg, Catch::Contains("best val_loss 0.5 at epoch 4"));
  CHECK_THAT(svg, Catch::Contains("learning_rate (log scale)"));
  CHECK_THAT(svg, !Catch::Contains("<script"));
  // No fixed size: it scales to its container.
  const auto root = svg.substr(0, svg.find('>'));
  CHECK_THAT(root, Catch::Contains("viewBox=\"0 0 940.0 ") && !Catch::Contains("width=") && !Catch::Contains("height="));
  // The rate was halved twice (the loss is flat), each marked in both panels and in the legend.
  REQUIRE(curves.marks().size() == 2);
  CHECK(curves.marks()[0].kind == "rate-changed");
  CHECK(curves.marks()[0].text == "learning rate 0.1 to 0.05");
  CHECK(count(svg, "<line class=\"mark rate-changed\"") == 4);
  CHECK(count(svg, "<line class=\"legend rate-changed\"") == 1);
  CHECK(curves.marks()[0].epoch == 2);  // asked at epoch 3's end: the rate of epoch 4, where it is drawn
  CHECK_THAT(svg, Catch::Contains("<title>epoch 4: learning rate 0.1 to 0.05</title>"));
}

TEST_CASE("tick values are round: 1, 2 or 5 times a power of ten, decades on a log axis") {
  using cue::detail::linear_ticks;
  using cue::detail::log_ticks;
  CHECK(linear_ticks(0.2985, 2.018) == std::vector<double>{0.5, 1.0, 1.5, 2.0});
  CHECK(linear_ticks(-0.3, 0.3) == std::vector<double>{-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3});
  CHECK(linear_ticks(0, 1000) == std::vector<double>{0, 200, 400, 600, 800, 1000});
  CHECK(linear_ticks(-1e308, 1e308).size() <= 12);  // no overflow, a bounded count
  // A range of two decades: 1, 2 and 5 times each power of ten in it.
  auto ticks = log_ticks(std::log10(0.0008223), std::log10(0.0608));
  REQUIRE(ticks.size() == 6);
  for (std::size_t i = 0; i < ticks.size(); ++i) CHECK(ticks[i] == Approx(std::vector<double>{1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2}[i]));
  // Many decades: powers of ten only, at most 7 of them.
  ticks = log_ticks(-12, 0);
  CHECK(ticks.size() <= 7);
  for (double t : ticks) CHECK(std::log10(t) == Approx(std::round(std::log10(t))));
  // Less than a 1-2-5 step: round linear values.
  ticks = log_ticks(std::log10(0.06), std::log10(0.09));
  CHECK(ticks.size() >= 2);
  for (double t : ticks) CHECK((t >= 0.06 && t <= 0.09));
}

TEST_CASE("the file is rewritten at every epoch end") {
  const fs::path path = fs::temp_directory_path() / "cue-curves-each" / "curves.svg";
  fs::remove_all(path.parent_path());
  look looker{path, {}};
  scripted_learner learner{.val_loss = {1, 2, 3}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, cue::training_curves({.path = path.string()}), looker);
  CHECK(looker.points == std::vector<std::size_t>{1, 2, 3});
  fs::remove_all(path.parent_path());
}

TEST_CASE("a run resumed by backup_and_restore draws the epochs before the resume too") {
  const auto dir = fs::temp_directory_path() / "cue-curves-resumed";
  fs::remove_all(dir);
  const auto backup = (dir / "backup").string();
  {
    scripted_learner learner{.val_loss = {0.9, 0.5}};
    CHECK_THROWS(cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0},
                          cue::training_curves({.path = (dir / "curves.svg").string()}),
                          cue::backup_and_restore({.backup_dir = backup}), fail_at_2{}));
  }
  scripted_learner learner{.val_loss = {0.4, 0.3}};
  cue::training_curves curves({.path = (dir / "curves.svg").string()});
  cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0}, curves, cue::backup_and_restore({.backup_dir = backup}));
  std::vector<int> epochs;
  for (const auto& r : curves.table().rows()) epochs.push_back(r.epoch);
  CHECK(epochs == std::vector<int>{0, 1, 2, 3});
  CHECK(curves.table().rows()[1].values[*curves.table().column("val_loss")] == 0.5);  // from before the resume
  // Where it resumed is marked, in the panels and the legend.
  REQUIRE(curves.marks().size() == 1);
  CHECK(curves.marks()[0].epoch == 2);
  CHECK(curves.marks()[0].kind == "resumed");
  const auto svg = read(dir / "curves.svg");
  CHECK(count(svg, "<line class=\"mark resumed\"") == 2);  // loss, learning_rate
  CHECK_THAT(svg, Catch::Contains("<title>epoch 3: resumed</title>"));
  fs::remove_all(dir);
}

TEST_CASE("training_curves monitors only the metric it marks, and checks its options") {
  STATIC_REQUIRE(std::is_same_v<cue::training_curves<>::monitored, cue::names<>>);
  STATIC_REQUIRE(std::is_same_v<cue::training_curves<"val_loss">::monitored, cue::names<"val_loss">>);
  CHECK_THROWS_WITH(cue::training_curves({.path = ""}), Catch::Contains("path is empty"));
  CHECK_THROWS_WITH(cue::training_curves<"val_ppl">(), Catch::Contains("set .mode"));
}
