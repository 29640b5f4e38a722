// cue's schedules against torch.optim.lr_scheduler itself (tests/callbacks/torch_schedules.py,
// run by Debian's python3 with python3-torch): every rate, compared as Python's repr, so exactly.
#include <cue/callbacks/learning_rate_schedule.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/lambda_callback.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"

using cue_test::batch;
namespace sch = cue::schedules;

namespace {
// Each case's rates as PyTorch gives them: the rate after construction, then after each step.
const std::map<std::string, std::vector<std::string>>& torch_rates() {
  static const auto rates = [] {
    std::map<std::string, std::vector<std::string>> out;
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen("/usr/bin/python3 " CUE_TORCH_SCHEDULES, "r"), &pclose);
    REQUIRE(pipe);
    std::string text;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0;) text.append(buffer, n);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string name, rate;
      words >> name;
      while (words >> rate) out[name].push_back(rate);
    }
    return out;
  }();
  return rates;
}

// The schedule's rates from a base of 0.1, stepped as PyTorch steps them, in Python's repr.
template <class S>
std::vector<std::string> cue_rates(S schedule, std::size_t steps) {
  const double base = 0.1;
  double rate = schedule.rate(0, base, base);
  std::vector<std::string> out{cue::python_repr(rate)};
  for (std::size_t t = 1; t <= steps; ++t) out.push_back(cue::python_repr(rate = schedule.rate(t, rate, base)));
  return out;
}

template <class S>
void same_as_torch(const std::string& name, S schedule) {
  INFO(name);
  const auto& reference = torch_rates().at(name);
  REQUIRE(reference.size() == 40);
  CHECK(cue_rates(std::move(schedule), 39) == reference);
}

// Records the learner's rate at every training batch.
struct rate_log {
  std::vector<double>* rates;
  void on_train_batch_begin(auto& ctx) { rates->push_back(ctx.learner().learning_rate()); }
};
}  // namespace

TEST_CASE("every schedule gives PyTorch's rates, bit for bit") {
  same_as_torch("step", sch::step{.step_size = 7, .gamma = 0.5});
  same_as_torch("multi_step", sch::multi_step{.milestones = {3, 10, 10, 25}, .gamma = 0.3});
  same_as_torch("exponential", sch::exponential{.gamma = 0.93});
  same_as_torch("linear", sch::linear{.start_factor = 0.1, .end_factor = 1.0, .total_iters = 12});
  same_as_torch("polynomial", sch::polynomial{.total_iters = 30, .power = 2.0});
  same_as_torch("cosine", sch::cosine{.t_max = 9, .eta_min = 0.001});
  same_as_torch("warm_restarts", sch::cosine_warm_restarts{.t_0 = 5, .t_mult = 2, .eta_min = 1e-4});
  same_as_torch("one_cycle", sch::one_cycle{.max_lr = 0.5, .total_steps = 40, .pct_start = 0.25});
  same_as_torch("one_cycle_linear_3", sch::one_cycle{.max_lr = 0.5, .total_steps = 40, .anneal_strategy = sch::anneal::linear,
                                                     .three_phase = true});
  same_as_torch("warmup_then_cosine",
                sch::sequence{std::tuple{sch::linear{.start_factor = 0.2, .total_iters = 5}, sch::cosine{.t_max = 20, .eta_min = 0.001}},
                              {5}});
  same_as_torch("exponential_then_step",
                sch::sequence{std::tuple{sch::exponential{.gamma = 0.8}, sch::step{.step_size = 4, .gamma = 0.5}}, {10}});
}

TEST_CASE("the callback steps after every batch or every epoch, from the learner's rate") {
  const std::vector<batch> four(4, batch{1.0});
  std::vector<double> per_batch;
  cue_test::scripted_learner learner{.val_loss = std::vector<double>(12, 0.5), .lr = 0.1};
  cue::learning_rate_schedule schedule(sch::exponential{.gamma = 0.5}, {.every = cue::schedule_step::batch});
  cue::fit(learner, four, {.epochs = 2, .verbose = 0}, rate_log{&per_batch}, schedule);
  CHECK(per_batch == std::vector<double>{0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125, 0.0015625, 0.00078125});
  CHECK(schedule.steps() == 8);

  std::vector<double> per_epoch;
  cue_test::scripted_learner again{.val_loss = std::vector<double>(12, 0.5), .lr = 0.1};
  cue::fit(again, four, {.epochs = 3, .verbose = 0}, rate_log{&per_epoch},
           cue::learning_rate_schedule(sch::step{.step_size = 2, .gamma = 0.1}));
  CHECK(per_epoch == std::vector<double>{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002,
                                         0.010000000000000002, 0.010000000000000002});
}

TEST_CASE("a resumed fit goes on with the schedule where the backup left it") {
  const auto dir = std::filesystem::temp_directory_path() / "cue-schedule-resume";
  std::filesystem::remove_all(dir);
  const std::vector<batch> two(2, batch{1.0});
  auto schedule = [] { return cue::learning_rate_schedule(sch::cosine_warm_restarts{.t_0 = 3, .t_mult = 2}); };
  std::vector<double> whole;
  {
    cue_test::scripted_learner learner{.val_loss = std::vector<double>(20, 0.5), .lr = 0.1};
    cue::fit(learner, two, {.epochs = 8, .verbose = 0}, rate_log{&whole}, schedule());
  }
  std::vector<double> cut;
  {
    cue_test::scripted_learner learner{.val_loss = std::vector<double>(20, 0.5), .lr = 0.1};
    cue::lambda_callback stop_at_5{cue::on_epoch_end([](auto& ctx) {
      if (ctx.epoch() == 4) throw std::runtime_error("power cut");
    })};
    auto s = schedule();
    CHECK_THROWS(cue::fit(learner, two, {.epochs = 8, .verbose = 0}, rate_log{&cut}, s, stop_at_5,
                          cue::backup_and_restore({.backup_dir = (dir / "backup").string()}, s)));
  }
  {
    cue_test::scripted_learner learner{.val_loss = std::vector<double>(20, 0.5), .lr = 0.1};
    auto s = schedule();
    cut.resize(8);  // epochs 1-4 completed and backed up; the fifth is done again
    cue::fit(learner, two, {.epochs = 8, .verbose = 0}, rate_log{&cut}, s,
             cue::backup_and_restore({.backup_dir = (dir / "backup").string()}, s));
  }
  CHECK(cut == whole);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a schedule's mistakes are named") {
  CHECK_THROWS_WITH(cue::learning_rate_schedule(sch::one_cycle{.total_steps = 0}), Catch::Contains("total_steps must be > 0"));
  CHECK_THROWS_WITH(cue::learning_rate_schedule(sch::sequence{std::tuple{sch::exponential{}, sch::exponential{}}, {}}),
                    Catch::Contains("2 schedules need 1 milestones, got 0"));
  const std::vector<batch> one{{1.0}};
  cue_test::scripted_learner learner{.val_loss = std::vector<double>(5, 0.5)};
  CHECK_THROWS_WITH(cue::fit(learner, one, {.epochs = 5, .verbose = 0},
                             cue::learning_rate_schedule(sch::one_cycle{.total_steps = 2})),
                    Catch::Contains("step 4 of 2 total_steps"));
}
