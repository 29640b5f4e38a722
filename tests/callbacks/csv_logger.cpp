#include <cue/callbacks/csv_logger.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/fit.hpp>
#include <cue/state.hpp>

#include "../support.hpp"

using cue_test::batch;
namespace fs = std::filesystem;

namespace {
struct two_metrics {
  std::vector<double> losses;
  int epoch = 0;
  cue::logs<"loss", "acc"> train_step(const batch&) {
    const double l = losses.at(static_cast<std::size_t>(epoch++));
    return {l, l / 2};
  }
  cue::logs<"loss", "acc"> test_step(const batch&) { return {0.125, 0.75}; }
};
const std::vector<batch> one_batch{{1.0}};
std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("csv_logger's hooks and Keras's defaults") {
  using ctx = cue::context<two_metrics, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_train_begin<cue::csv_logger, ctx>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<cue::csv_logger, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_end<cue::csv_logger, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<cue::csv_logger, ctx>);
  const cue::csv_logger_options o;
  CHECK(o.separator == ",");
  CHECK_FALSE(o.append);
}

TEST_CASE("without validation: sorted columns, val_ columns of NA, Python's float text") {
  std::ostringstream out;
  two_metrics learner{.losses = {0.5, 0.4, std::nan("")}};
  cue::fit(learner, one_batch, {.epochs = 3}, cue::csv_logger(out));
  CHECK(out.str() ==
        "epoch,acc,loss,val_acc,val_loss\n"
        "0,0.25,0.5,NA,NA\n"
        "1,0.2,0.4,NA,NA\n"
        "2,nan,nan,NA,NA\n");
}

TEST_CASE("with validation every second epoch: NA where it did not run; a separator") {
  std::ostringstream out;
  two_metrics learner{.losses = {0.5, 0.25}};
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .validation_freq = 2},
           cue::csv_logger(out, {.separator = ";"}));
  CHECK(out.str() ==
        "epoch;acc;loss;val_acc;val_loss\n"
        "0;0.25;0.5;NA;NA\n"
        "1;0.125;0.25;0.75;0.125\n");
}

TEST_CASE("to a file: append keeps the header, a new run without append replaces the file") {
  const auto path = fs::temp_directory_path() / "cue-csv-logger.csv";
  fs::remove(path);
  two_metrics learner{.losses = {0.5, 0.4, 0.3, 0.2}};
  cue::fit(learner, one_batch, {.epochs = 1}, cue::csv_logger({.filename = path.string(), .append = true}));
  cue::fit(learner, one_batch, {.epochs = 1}, cue::csv_logger({.filename = path.string(), .append = true}));
  CHECK(read(path) ==
        "epoch,acc,loss,val_acc,val_loss\n"
        "0,0.25,0.5,NA,NA\n"
        "0,0.2,0.4,NA,NA\n");
  cue::fit(learner, one_batch, {.epochs = 1}, cue::csv_logger({.filename = path.string()}));
  CHECK(read(path) == "epoch,acc,loss,val_acc,val_loss\n0,0.15,0.3,NA,NA\n");
  fs::remove(path);
}

// Loads the state it is given at the start of the first epoch, as backup_and_restore does.
struct restore_at_first_epoch {
  cue::csv_logger* logger;
  cue::state_dict saved;
  void on_epoch_begin(auto& ctx) {
    if (ctx.epoch() == 0) logger->load_state_dict(saved);
  }
};

TEST_CASE("its state is the file's length; a resumed run cuts rows written after the backup") {
  STATIC_REQUIRE(cue::stateful<cue::csv_logger>);
  const auto path = fs::temp_directory_path() / "cue-csv-logger-resume.csv";
  fs::remove(path);
  two_metrics learner{.losses = {0.5, 0.4, 0.3, 0.2}};
  cue::csv_logger first({.filename = path.string(), .append = true});
  cue::fit(learner, one_batch, {.epochs = 1}, first);
  const auto saved = first.state_dict();  // a backup after epoch 0
  CHECK(saved.at("bytes") == std::to_string(fs::file_size(path)));
  cue::fit(learner, one_batch, {.epochs = 1}, first);  // a row after the backup (a cut epoch)
  cue::csv_logger resumed({.filename = path.string(), .append = true});
  cue::fit(learner, one_batch, {.epochs = 1}, resumed, restore_at_first_epoch{&resumed, saved});
  CHECK(read(path) ==
        "epoch,acc,loss,val_acc,val_loss\n"
        "0,0.25,0.5,NA,NA\n"
        "0,0.15,0.3,NA,NA\n");  // the row after the backup is gone, the new one follows
  fs::remove(path);

  std::ostringstream out;
  cue::csv_logger to_stream(out);
  CHECK(to_stream.state_dict().at("bytes") == "none");  // a stream is not cut
}

// Keeps the logger's state after its on_train_begin, as a backup before the first row would.
struct save_at_train_begin {
  cue::csv_logger* logger;
  cue::state_dict* saved;
  void on_train_begin(auto&) { *saved = logger->state_dict(); }
};

TEST_CASE("a resumed run cut back to before the header writes the header again") {
  // A run stopped in its first epoch: the backup came before any row (0 bytes), then the cut
  // epoch's end wrote the header and a row; the resumed run starts from a file with a header.
  const auto path = fs::temp_directory_path() / "cue-csv-logger-resume-header.csv";
  fs::remove(path);
  two_metrics learner{.losses = {0.5, 0.4}};
  cue::csv_logger first({.filename = path.string(), .append = true});
  cue::state_dict saved;
  cue::fit(learner, one_batch, {.epochs = 1}, first, save_at_train_begin{&first, &saved});
  CHECK(saved.at("bytes") == "0");
  cue::csv_logger resumed({.filename = path.string(), .append = true});
  cue::fit(learner, one_batch, {.epochs = 1}, resumed, restore_at_first_epoch{&resumed, saved});
  CHECK(read(path) == "epoch,acc,loss,val_acc,val_loss\n0,0.2,0.4,NA,NA\n");
  fs::remove(path);
}

TEST_CASE("csv_logger rejects what it cannot write, naming the problem") {
  CHECK_THROWS_WITH(cue::csv_logger(cue::csv_logger_options{}),
                    "cue: csv_logger: filename is empty (or pass a std::ostream&)");
  std::ostringstream out;
  CHECK_THROWS_WITH(cue::csv_logger(out, {.separator = ""}), "cue: csv_logger: separator is empty");
  two_metrics learner{.losses = {0.5}};
  const auto not_a_dir = fs::temp_directory_path() / "cue-csv-not-a-dir";
  std::ofstream(not_a_dir) << "a file";
  const auto path = (not_a_dir / "x.csv").string();
  CHECK_THROWS_WITH(cue::fit(learner, one_batch, {.epochs = 1}, cue::csv_logger({.filename = path})),
                    "cue: csv_logger: cannot open " + path + " for writing");
  CHECK(learner.epoch == 0);  // refused before the first batch
  fs::remove(not_a_dir);
}
