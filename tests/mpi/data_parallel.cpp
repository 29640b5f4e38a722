// Run under `mpirun -np 2`: data-parallel training over MPI computes what one process computes on
// the whole global batch; the epoch's logs are the whole data's; a stop on one rank stops both.
#include <cue/mpi/communicator.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/cue.hpp>
#include <cue/distributed/data_parallel.hpp>
#include <cue/distributed/on_rank_zero.hpp>
#include <cue/nn.hpp>

#include "../distributed/toy.hpp"

namespace {
using cue_test::model;
using cue_test::toy;
cue::mpi::communicator* world = nullptr;

std::size_t rank() { return static_cast<std::size_t>(world->rank()); }
std::size_t ranks() { return static_cast<std::size_t>(world->size()); }
}  // namespace

TEST_CASE("2 ranks with the global batch split between them train as 1 process on the whole batch") {
  REQUIRE(world->size() == 2);
  struct setup {
    std::size_t samples, hidden;
  };
  // 101 samples at a global batch of 16: a short last batch of 5, split 2 and 3, and gradients
  // small enough to be summed in one message. 97: a last batch of 1, so rank 0's part is empty
  // (it contributes nothing); with 1100 hidden units the first weights (4400) are summed in place.
  const auto [samples, hidden] = GENERATE(setup{101, 8}, setup{97, 1100});
  INFO(samples << " samples, " << hidden << " hidden units");
  const auto train = toy(samples, 2), val = toy(37, 3);
  cue::data::batches whole(train, {.batch_size = 16, .seed = 5});
  cue::data::batches whole_val(val, {.batch_size = 16, .shuffle = false});
  auto alone = model(9, hidden);  // every rank trains the one-process reference itself
  const auto expected = cue::fit(alone, whole, whole_val, {.epochs = 3, .verbose = 0});

  cue::data::batches part(train, {.batch_size = 16, .seed = 5, .rank = rank(), .ranks = ranks()});
  cue::data::batches part_val(val, {.batch_size = 16, .shuffle = false, .rank = rank(), .ranks = ranks()});
  auto mine = model(rank() == 0 ? 9 : 1234, hidden);  // rank 1 starts elsewhere: rank 0's weights are broadcast
  cue::data_parallel parallel(mine, *world);
  const auto got = cue::fit(parallel, part, part_val, {.epochs = 3, .verbose = 0});
  REQUIRE(got.epochs().size() == 3);
  for (int e = 0; e < 3; ++e) {
    INFO("rank " << rank() << " epoch " << e);
    // The epoch's logs are the whole data's, on every rank: sample-weighted over the ranks.
    CHECK(got["loss"][e] == Approx(expected["loss"][e]).epsilon(1e-5));
    CHECK(got["accuracy"][e] == Approx(expected["accuracy"][e]).epsilon(1e-9));
    CHECK(got["val_loss"][e] == Approx(expected["val_loss"][e]).epsilon(1e-5));
    CHECK(got["val_accuracy"][e] == Approx(expected["val_accuracy"][e]).epsilon(1e-9));
  }
  const auto a = alone.state(), b = mine.state();
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j) REQUIRE(b[i][j] == Approx(a[i][j]).margin(1e-5));
  // And evaluate reduces the same way: the whole validation set's loss.
  const auto evaluated = cue::evaluate(parallel, part_val);
  CHECK(cue::get<"loss">(evaluated) == Approx(cue::get<"loss">(cue::evaluate(alone, whole_val))).epsilon(1e-5));
}

TEST_CASE("a stop asked for on one rank stops every rank after the same batch, with its reason") {
  const auto train = toy(64, 4);
  cue::data::batches part(train, {.batch_size = 8, .seed = 1, .rank = rank(), .ranks = ranks()});
  auto mine = model(3);
  cue::data_parallel parallel(mine, *world);
  std::size_t batches_run = 0;
  cue::lambda_callback stop_on_rank_1{cue::on_train_batch_end([&](auto& ctx) {
    ++batches_run;
    if (rank() == 1 && ctx.epoch() == 1 && ctx.batch() == 2)
      ctx.request_stop(cue::stop_reason::signal, "rank 1 received SIGTERM");
  })};
  const auto h = cue::fit(parallel, part, {.epochs = 5, .verbose = 0}, stop_on_rank_1);
  INFO("rank " << rank());
  CHECK(batches_run == 8 + 3);
  CHECK(h.epochs().size() == 2);
  CHECK(h.stop_reason() == cue::stop_reason::signal);
  CHECK(h.stop_message() == "rank 1 received SIGTERM");
}

TEST_CASE("callbacks that write act on rank 0 only: one checkpoint file, written once; one CSV") {
  // A directory the ranks share (one machine), named by rank 0.
  std::int64_t job = static_cast<std::int64_t>(::getpid());
  world->broadcast(std::as_writable_bytes(std::span<std::int64_t>(&job, 1)), 0);
  const auto dir = std::filesystem::temp_directory_path() / ("cue-mpi-" + std::to_string(job));
  if (rank() == 0) std::filesystem::remove_all(dir);
  world->barrier();

  const auto train = toy(64, 4), val = toy(32, 5);
  cue::data::batches part(train, {.batch_size = 8, .seed = 1, .rank = rank(), .ranks = ranks()});
  cue::data::batches part_val(val, {.batch_size = 8, .shuffle = false, .rank = rank(), .ranks = ranks()});
  auto mine = model(3);
  cue::data_parallel parallel(mine, *world);
  std::ostringstream csv_text;
  cue::csv_logger csv(csv_text);
  cue::model_checkpoint<"val_loss"> checkpoint({.filepath = (dir / "best.npz").string(), .save_best_only = true});
  const auto h = cue::fit(parallel, part, part_val, {.epochs = 3, .verbose = 0}, cue::on_rank_zero(csv),
                          cue::on_rank_zero(checkpoint));
  INFO("rank " << rank());
  // val_loss falls every epoch here, the same on both ranks: rank 0 saves each time, rank 1 never.
  REQUIRE(h["val_loss"][2] < h["val_loss"][0]);
  CHECK(checkpoint.save_count() == (rank() == 0 ? 3u : 0u));
  std::size_t lines = 0;
  for (char c : csv_text.str()) lines += c == '\n';
  CHECK(lines == (rank() == 0 ? 4u : 0u));
  world->barrier();
  CHECK(std::filesystem::exists(dir / "best.npz"));
  world->barrier();
  if (rank() == 0) std::filesystem::remove_all(dir);
}

TEST_CASE("the initial broadcast gives every rank rank 0's optimizer state too") {
  const auto train = toy(96, 6);
  cue::data::batches whole(train, {.batch_size = 16, .shuffle = false});
  cue::data::batches part(train, {.batch_size = 16, .shuffle = false, .rank = rank(), .ranks = ranks()});
  // Rank 0's model has trained an epoch (Adam's moments and step count are not zero); rank 1's has not.
  auto alone = model(9);
  cue::fit(alone, whole, {.epochs = 1, .verbose = 0});
  auto mine = model(rank() == 0 ? 9 : 1234);
  if (rank() == 0) cue::fit(mine, whole, {.epochs = 1, .verbose = 0});
  cue::fit(alone, whole, {.epochs = 2, .verbose = 0});
  cue::data_parallel parallel(mine, *world);
  cue::fit(parallel, part, {.epochs = 2, .verbose = 0});
  INFO("rank " << rank());
  const auto a = alone.state(), b = mine.state();
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j) REQUIRE(b[i][j] == Approx(a[i][j]).margin(1e-5));
}

TEST_CASE("a signal on one rank cuts the epoch on both; the backup made there resumes both exactly") {
  std::int64_t job = static_cast<std::int64_t>(::getpid());
  world->broadcast(std::as_writable_bytes(std::span<std::int64_t>(&job, 1)), 0);
  const auto dir = std::filesystem::temp_directory_path() / ("cue-mpi-backup-" + std::to_string(job));
  const auto train = toy(101, 2), val = toy(37, 3);
  cue::data::batches part_val(val, {.batch_size = 16, .shuffle = false, .rank = rank(), .ranks = ranks()});
  auto run = [&](bool signal_on_rank_1, cue::save_frequency freq) {
    cue::data::batches part(train, {.batch_size = 16, .seed = 5, .rank = rank(), .ranks = ranks()});
    auto mine = model(rank() == 0 ? 9 : 1234);
    cue::data_parallel parallel(mine, *world);
    cue::early_stopping<"val_loss"> early_stop({.patience = 2, .restore_best_weights = true});
    cue::reduce_lr_on_plateau<"val_loss"> reduce_lr({.factor = 0.5, .patience = 1});
    cue::lambda_callback signal{cue::on_train_batch_end([&](auto& ctx) {
      if (signal_on_rank_1 && rank() == 1 && ctx.epoch() == 2 && ctx.batch() == 3)
        ctx.request_stop(cue::stop_reason::signal, "rank 1 received SIGTERM");
    })};
    cue::backup_and_restore backup({.backup_dir = dir.string(), .save_freq = freq});
    const auto h = cue::fit(parallel, part, part_val, {.epochs = 6, .verbose = 0}, early_stop, reduce_lr, signal, backup);
    return std::tuple(mine.state(), h, backup.resumed_from());
  };
  for (const cue::save_frequency freq : {cue::save_frequency(cue::every_epoch), cue::save_frequency(5)}) {
    INFO("rank " << rank() << ", backups every " << (freq.per_epoch ? "epoch" : "5 batches"));
    if (rank() == 0) std::filesystem::remove_all(dir);
    world->barrier();
    const auto [expected, unbroken, none] = run(false, freq);
    REQUIRE(!none);
    world->barrier();
    REQUIRE(!std::filesystem::exists(dir));  // deleted at the end of a complete run

    const auto [cut, stopped, none_either] = run(true, freq);
    CHECK(stopped.stop_reason() == cue::stop_reason::signal);
    CHECK(stopped.epochs().back() == 2);
    world->barrier();
    REQUIRE(std::filesystem::exists(dir / "current" / "state.npz"));  // kept: the run was cut
    const auto [resumed, finished, from] = run(false, freq);
    REQUIRE(from);
    CHECK(from->epoch == 2);
    CHECK(from->batch == 4);  // after the batch the signal cut, on both ranks
    // The resumed epoch's logs are those of the unbroken run, bit for bit: each rank resumed its
    // own sums of the epoch's first batches.
    CHECK(finished["loss"].back() == unbroken["loss"].back());
    CHECK(finished["val_loss"].back() == unbroken["val_loss"].back());
    CHECK(finished["loss"][0] == unbroken["loss"][2]);
    for (std::size_t i = 0; i < expected.size(); ++i)
      for (std::size_t j = 0; j < expected[i].size(); ++j) REQUIRE(resumed[i][j] == expected[i][j]);
  }
  world->barrier();
  if (rank() == 0) std::filesystem::remove_all(dir);
}

TEST_CASE("the warm-up climbs from about target / ranks to the target, by Horovod's formula") {
  const auto train = toy(64, 4);
  cue::data::batches part(train, {.batch_size = 16, .seed = 1, .rank = rank(), .ranks = ranks()});  // 4 steps
  auto mine = model(3);
  cue::data_parallel parallel(mine, *world);
  std::vector<double> seen;
  cue::lambda_callback record{cue::on_train_batch_end([&](auto& ctx) { seen.push_back(ctx.learner().learning_rate()); })};
  cue::learning_rate_warmup warmup({.initial_learning_rate = 0.02, .warmup_epochs = 2});
  cue::fit(parallel, part, {.epochs = 3, .verbose = 0}, warmup, record);
  REQUIRE(seen.size() == 12);
  // 2 ranks, 4 steps: 0.02 / 2 * ((e + 1/4) * (2 - 1) / 2 + 1), e = epoch + batch / 4.
  for (std::size_t i = 0; i < 8; ++i)
    CHECK(seen[i] == Approx(0.01 * ((static_cast<double>(i) / 4 + 0.25) / 2 + 1)));
  CHECK(seen[0] == Approx(0.01125));
  CHECK(seen[7] == Approx(0.02));  // the last warm-up batch: the target
  CHECK(seen[11] == Approx(0.02));  // left alone after
}

int main(int argc, char** argv) {
  cue::mpi::communicator comm(&argc, &argv);
  world = &comm;
  Catch::Session session;
  // Every rank runs every test, so that their collectives match, and reports its own checks.
  const int failed = session.run(argc, argv);
  return comm.all(failed == 0) ? 0 : 1;
}
