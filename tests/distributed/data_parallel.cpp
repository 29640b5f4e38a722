// cue::data_parallel on one process (cue::single_process): what the MPI tests build on, checked
// without MPI; and the data's split into ranks' parts.
#include <cue/distributed/data_parallel.hpp>

#include <filesystem>
#include <random>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/cue.hpp>
#include <cue/nn.hpp>

#include "toy.hpp"

namespace {
using cue_test::model;
using cue_test::toy;
}  // namespace

TEST_CASE("a rank's part of each global batch: together the parts are the batch, in order") {
  const auto d = toy(11, 1);
  std::vector<std::int32_t> whole, parts;
  cue::data::batches all(d, {.batch_size = 4, .seed = 7});
  cue::data::batches first(d, {.batch_size = 4, .seed = 7, .rank = 0, .ranks = 3});
  cue::data::batches second(d, {.batch_size = 4, .seed = 7, .rank = 1, .ranks = 3});
  cue::data::batches third(d, {.batch_size = 4, .seed = 7, .rank = 2, .ranks = 3});
  CHECK(first.size() == all.size());  // every rank has the same number of steps
  std::vector<std::size_t> sizes;
  auto a = all.begin(), r0 = first.begin(), r1 = second.begin(), r2 = third.begin();
  for (; a != all.end(); ++a, ++r0, ++r1, ++r2) {
    for (auto y : (*a).y) whole.push_back(y);
    for (const auto& part : {*r0, *r1, *r2}) {
      sizes.push_back(part.size());
      for (auto y : part.y) parts.push_back(y);
    }
  }
  CHECK(parts == whole);
  CHECK(sizes == std::vector<std::size_t>{1, 1, 2, 1, 1, 2, 1, 1, 1});  // the last global batch has 3
  CHECK_THROWS_WITH(cue::data::batches(d, {.rank = 2, .ranks = 2}), "cue: batches: rank must be < ranks, got rank 2 of 2");
}

TEST_CASE("on one process, data_parallel trains as the learner alone") {
  const auto train = toy(101, 2), val = toy(37, 3);
  cue::data::batches tb(train, {.batch_size = 16, .seed = 5});
  cue::data::batches vb(val, {.batch_size = 16, .shuffle = false});
  auto alone = model(9);
  const auto expected = cue::fit(alone, tb, vb, {.epochs = 3, .verbose = 0});

  cue::data::batches tb2(train, {.batch_size = 16, .seed = 5});
  auto wrapped = model(9);
  cue::single_process one;
  cue::data_parallel parallel(wrapped, one);
  STATIC_REQUIRE(cue::distributed_learner<decltype(parallel)>);
  const auto got = cue::fit(parallel, tb2, vb, {.epochs = 3, .verbose = 0});
  for (int e = 0; e < 3; ++e) {
    CHECK(got["loss"][e] == Approx(expected["loss"][e]).epsilon(1e-5));
    CHECK(got["val_loss"][e] == Approx(expected["val_loss"][e]).epsilon(1e-5));
  }
  const auto a = alone.state(), b = wrapped.state();
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j) REQUIRE(b[i][j] == Approx(a[i][j]).margin(1e-5));
}

TEST_CASE("on one process, a distributed fit's backup cut by a signal resumes exactly") {
  const auto dir = std::filesystem::temp_directory_path() / "cue-distributed-backup";
  std::filesystem::remove_all(dir);
  const auto train = toy(50, 2);
  cue::single_process one;
  // A stop for a signal with no signal_received event: the distributed backup acts on fit's
  // agreed stop reason, as it must for a signal that reached another rank.
  auto run = [&](bool signalled) {
    cue::data::batches part(train, {.batch_size = 8, .seed = 5, .rank = 0, .ranks = 1});
    auto m = model(9);
    cue::data_parallel parallel(m, one);
    cue::lambda_callback signal{cue::on_train_batch_end([&](auto& ctx) {
      if (signalled && ctx.epoch() == 1 && ctx.batch() == 2) ctx.request_stop(cue::stop_reason::signal, "SIGTERM");
    })};
    cue::backup_and_restore backup({.backup_dir = dir.string()});
    cue::fit(parallel, part, {.epochs = 3, .verbose = 0}, signal, backup);
    return std::pair(m.state(), backup.resumed_from());
  };
  const auto [expected, none] = run(false);
  (void)run(true);
  const auto [resumed, from] = run(false);
  REQUIRE(from);
  CHECK(from->epoch == 1);
  CHECK(from->batch == 3);
  CHECK(resumed == expected);
  CHECK(!std::filesystem::exists(dir));
}
