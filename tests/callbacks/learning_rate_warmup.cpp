// cue::learning_rate_warmup on one process (the ranks' count is 1: the rate is the target from
// the start); tests/mpi/data_parallel.cpp checks it with 2 ranks.
#include <cue/callbacks/learning_rate_warmup.hpp>

#include <cstdio>
#include <list>
#include <ranges>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include <cue/callbacks/lambda_callback.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;

TEST_CASE("warm-up options are checked, and the loop must know the steps per epoch") {
  CHECK_THROWS_WITH(cue::learning_rate_warmup({}), Catch::Contains("initial_learning_rate must be > 0"));
  CHECK_THROWS_WITH(cue::learning_rate_warmup({.initial_learning_rate = 0.1, .warmup_epochs = 0}),
                    "cue: learning_rate_warmup: warmup_epochs must be >= 1, got 0");
  // Data whose length the loop cannot know: the steps per epoch must be given.
  scripted_learner learner;
  const std::vector<batch> two{{1.0}, {1.0}};
  // A list's iterators cannot say the distance to its end: without size(), a range of unknown length.
  struct unsized_batches {
    std::list<batch> items;
    auto begin() const { return items.begin(); }
    auto end() const { return items.end(); }
  } unsized{{two.begin(), two.end()}};
  STATIC_REQUIRE(!std::ranges::sized_range<unsized_batches>);
  cue::learning_rate_warmup warmup({.initial_learning_rate = 0.1});
  CHECK_THROWS_WITH(cue::fit(learner, unsized, {.epochs = 1, .verbose = 0}, warmup),
                    "cue: learning_rate_warmup: the loop cannot say how many steps an epoch has; set .steps_per_epoch");
  cue::learning_rate_warmup given({.initial_learning_rate = 0.1, .steps_per_epoch = 2});
  CHECK_NOTHROW(cue::fit(learner, unsized, {.epochs = 1, .verbose = 0}, given));
}

TEST_CASE("on one process the warm-up sets the target rate before every warm-up batch, then leaves it") {
  scripted_learner learner{.val_loss = {0, 0, 0, 0}};
  learner.lr = 0.5;
  std::vector<double> seen;
  cue::lambda_callback record{cue::on_train_batch_end([&](auto& ctx) { seen.push_back(ctx.learner().learning_rate()); })};
  cue::learning_rate_warmup warmup({.initial_learning_rate = 0.1, .warmup_epochs = 2});
  cue::lambda_callback halve{cue::on_epoch_end([](auto& ctx) {
    if (ctx.epoch() == 2) ctx.learner().set_learning_rate(0.05);
  })};
  const std::vector<batch> two{{1.0}, {1.0}};
  cue::fit(learner, two, {.epochs = 4, .verbose = 0}, warmup, record, halve);
  CHECK(seen == std::vector<double>{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05});
  CHECK(warmup.rate(0, 0) == 0.1);
}

namespace {
// What the process writes to its standard output file (printf's, which std::cout's buffer does not
// see), while `run` runs.
template <class F>
std::string stdout_of(F run) {
  std::fflush(stdout);
  std::FILE* capture = std::tmpfile();
  REQUIRE(capture);
  const int saved = ::dup(STDOUT_FILENO);
  ::dup2(::fileno(capture), STDOUT_FILENO);
  run();
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  std::string text(static_cast<std::size_t>(std::ftell(capture)), '\0');
  std::rewind(capture);
  text.resize(std::fread(text.data(), 1, text.size(), capture));
  std::fclose(capture);
  return text;
}
}  // namespace

TEST_CASE("verbose: the end of the warm-up is said once, as Horovod says it") {
  const std::vector<batch> two{{1.0}, {1.0}};
  scripted_learner learner;
  const auto said = stdout_of([&] {
    cue::fit(learner, two, {.epochs = 3, .verbose = 0},
             cue::learning_rate_warmup({.initial_learning_rate = 0.1, .warmup_epochs = 2, .verbose = 1}));
  });
  CHECK(said == "\nEpoch 2: finished gradual learning rate warmup to 0.1.\n");
  scripted_learner quiet;
  CHECK(stdout_of([&] {
          cue::fit(quiet, two, {.epochs = 3, .verbose = 0}, cue::learning_rate_warmup({.initial_learning_rate = 0.1}));
        }).empty());
}
