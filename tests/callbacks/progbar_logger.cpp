#include <cue/callbacks/progbar_logger.hpp>

#include <unistd.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/adapters/guarded.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;

namespace {
const std::vector<batch> two_batches{{1.0}, {3.0}};
const std::vector<batch> one_batch{{2.0}};

// A clock that returns the given instants, one per call.
struct scripted_clock {
  std::vector<double> times;
  std::size_t next = 0;
  double operator()() { return times.at(next++); }
};

// The bar (4 characters wide) of one epoch over two batches, drawn into `out` at the given
// instants: epoch begin, each batch's end, epoch end.
void draw_two_batches(std::ostream& out, std::vector<double> instants) {
  cue_test::learner learner;
  cue::progbar_logger bar(out, {.verbose = 1, .width = 4, .clock = scripted_clock{std::move(instants)}});
  cue::fit(learner, two_batches, {.epochs = 1}, bar);
}
const std::string green = "\x1b[32m", white = "\x1b[37m", reset = "\x1b[0m", bold = "\x1b[1m";
}  // namespace

TEST_CASE("progbar_logger's hooks") {
  using ctx = cue::context<cue_test::learner, cue::logs<"loss">>;
  STATIC_REQUIRE(cue::handles_on_epoch_begin<cue::progbar_logger, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_batch_end<cue::progbar_logger, ctx>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<cue::progbar_logger, ctx>);
  STATIC_REQUIRE(!cue::handles_on_test_batch_end<cue::progbar_logger, ctx>);  // validation is silent
}

TEST_CASE("into a file or pipe: one line per epoch, Keras's verbose=2 text") {
  std::ostringstream out;  // not a terminal: line mode by default
  cue_test::learner learner;
  cue::progbar_logger bar(out, {.clock = scripted_clock{{0.0, 1.5, 10.0, 10.25}}});
  cue::fit(learner, two_batches, one_batch, {.epochs = 2}, bar);
  CHECK(out.str() ==
        "Epoch 1/2\n"
        "2/2 - 2s - 750ms/step - accuracy: 1.0000 - loss: 2.0000 - val_accuracy: 1.0000 - "
        "val_loss: 20.0000\n"
        "Epoch 2/2\n"
        "2/2 - 0s - 125ms/step - accuracy: 1.0000 - loss: 2.0000 - val_accuracy: 1.0000 - "
        "val_loss: 20.0000\n");
}

TEST_CASE("one epoch: no epoch header; small values in scientific notation, as Keras") {
  std::ostringstream out;
  cue_test::learner learner;
  const std::vector<batch> tiny{{0.0002}};
  cue::fit(learner, tiny, {.epochs = 1}, cue::progbar_logger(out, {.clock = scripted_clock{{0.0, 2.0}}}));
  CHECK(out.str() == "1/1 - 2s - 2s/step - accuracy: 1.0000e-04 - loss: 2.0000e-04\n");
}

TEST_CASE("on a terminal: the bar is redrawn in place and finished with the epoch logs") {
  std::ostringstream out;
  draw_two_batches(out, {0.0, 0.5, 1.0, 1.0});
  CHECK(out.str() ==
        "\r" + bold + "1/2" + reset + " " + green + "━━" + reset + white + "━━" + reset +
            " 0s 500ms/step - accuracy: 0.5000 - loss: 1.0000"  // ETA 0s
            "\r" + bold + "2/2" + reset + " " + green + "━━━━" + reset + white + reset +
            " 0s 500ms/step - accuracy: 1.0000 - loss: 2.0000"  // the last batch, ETA 0s
            "\r" + bold + "2/2" + reset + " " + green + "━━━━" + reset + white + reset +
            " 1s 500ms/step - accuracy: 1.0000 - loss: 2.0000\n");  // finished: 1s elapsed
}

TEST_CASE("on a terminal: a shorter redraw clears the longer one before it; minutes in the ETA") {
  std::ostringstream out;
  draw_two_batches(out, {0.0, 130.0, 130.5, 131.2});
  CHECK(out.str() ==
        "\r" + bold + "1/2" + reset + " " + green + "━━" + reset + white + "━━" + reset +
            " 2:10 130s/step - accuracy: 0.5000 - loss: 1.0000"  // 130 s to go
            "\r" + bold + "2/2" + reset + " " + green + "━━━━" + reset + white + reset +
            " 0s 65s/step - accuracy: 1.0000 - loss: 2.0000   "  // 3 columns shorter: 3 spaces
            "\r" + bold + "2/2" + reset + " " + green + "━━━━" + reset + white + reset +
            " 131s 66s/step - accuracy: 1.0000 - loss: 2.0000\n");  // longer again: nothing to clear
}

namespace {
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("fit's verbose shows progbar_logger on standard output, as Keras's fit does") {
  cue_test::learner learner;
  cue_test::captured_stdout out;
  cue::fit(learner, two_batches, one_batch, {.epochs = 2, .verbose = 2});
  const auto text = out.str();
  CHECK(text.starts_with("Epoch 1/2\n2/2 - "));
  CHECK(count(text, " - accuracy: 1.0000 - loss: 2.0000 - val_accuracy: 1.0000 - val_loss: 20.0000\n") == 2);
  CHECK(count(text, "Epoch 2/2\n") == 1);
}

TEST_CASE("verbose automatic is a line per epoch when standard output is not a terminal") {
  cue_test::learner learner;
  cue_test::captured_stdout out;
  cue::fit(learner, two_batches, {.epochs = 3});  // the default
  if (::isatty(STDOUT_FILENO) == 0)
    CHECK(count(out.str(), "2/2 - ") == 3);
  else  // run by hand in a terminal: the bar, redrawn in place
    CHECK(count(out.str(), "\r") >= 3);
}

TEST_CASE("verbose 0 is silent, and a progbar_logger among the callbacks is the only display") {
  cue_test::learner learner;
  cue_test::captured_stdout out;
  cue::fit(learner, two_batches, {.epochs = 2, .verbose = 0});
  CHECK(out.str().empty());
  cue::fit(learner, two_batches, {.epochs = 2, .verbose = 2}, cue::guarded(cue::progbar_logger{}));
  CHECK(count(out.str(), "Epoch 1/2\n") == 1);
}

TEST_CASE("a verbose Keras does not know is refused, naming the field") {
  cue_test::learner learner;
  CHECK_THROWS_WITH(cue::fit(learner, two_batches, {.epochs = 1, .verbose = 3}),
                    "cue: fit_options.verbose must be cue::verbose_auto (-1), 0, 1 or 2, got 3");
}
