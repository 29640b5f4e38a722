#include <cue/callbacks/progbar_logger.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

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
  cue_test::learner learner;
  cue::progbar_logger bar(out, {.verbose = 1, .width = 4,
                                .clock = scripted_clock{{0.0, 0.5, 1.0, 1.0}}});
  cue::fit(learner, two_batches, {.epochs = 1}, bar);
  const std::string green = "\x1b[32m", white = "\x1b[37m", reset = "\x1b[0m", bold = "\x1b[1m";
  CHECK(out.str() ==
        "\r" + bold + "1/2" + reset + " " + green + "━━" + reset + white + "━━" + reset +
            " 0s 500ms/step - accuracy: 0.5000 - loss: 1.0000"  // ETA 0s
            "\r" + bold + "2/2" + reset + " " + green + "━━━━" + reset + white + reset +
            " 0s 500ms/step - accuracy: 1.0000 - loss: 2.0000"  // the last batch, ETA 0s
            "\r" + bold + "2/2" + reset + " " + green + "━━━━" + reset + white + reset +
            " 1s 500ms/step - accuracy: 1.0000 - loss: 2.0000\n");  // finished: 1s elapsed
}
