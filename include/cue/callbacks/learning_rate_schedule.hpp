// cue::learning_rate_schedule: a schedule of <cue/schedules.hpp> (PyTorch's, exactly) stepped
// after every batch or every epoch, as a PyTorch user calls scheduler.step().
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include <cue/context.hpp>
#include <cue/learner.hpp>
#include <cue/python_format.hpp>
#include <cue/run_events.hpp>
#include <cue/schedules.hpp>
#include <cue/state.hpp>

namespace cue {

/// What one step of a schedule is.
enum class schedule_step { batch, epoch };

/// Options of `cue::learning_rate_schedule`.
struct learning_rate_schedule_options {
  schedule_step every = schedule_step::epoch;  ///< step after each training batch, or each epoch
};

/// A schedule: `double rate(std::size_t t, double current, double base)`, as cue::schedules' are.
template <class S>
concept rate_schedule = requires(S& s, std::size_t t, double r) {
  { s.rate(t, r, r) } -> std::convertible_to<double>;
};

/// Sets the learner's rate from `schedule` as PyTorch's schedulers do: at train begin the rate of
/// step 0 from the learner's rate then (the base), and after every training batch (`.every =
/// schedule_step::batch`) or every epoch the next step's. The rates are torch.optim.lr_scheduler's,
/// bit for bit (tested against it). Each change is a cue::learning_rate_changed (training_curves
/// marks it); the rate of each epoch is in its logs as `learning_rate`. Its state (the steps taken
/// and the base rate) is kept by backup_and_restore: a resumed fit replays the schedule to where
/// it was, so the rates go on as if uninterrupted. A non-finite rate is an error naming the step.
///
/// Hooks: on_train_begin, on_train_batch_begin, on_train_batch_end, on_epoch_end. Needs a learner with
/// learning_rate() and set_learning_rate(double).
template <rate_schedule Schedule>
class learning_rate_schedule {
 public:
  using needs = cue::needs<capability::learning_rate>;
  using emits = cue::emits<learning_rate_changed>;
  using options = learning_rate_schedule_options;

  explicit learning_rate_schedule(Schedule schedule, options opts = {}) : schedule_(std::move(schedule)), opts_(opts) {
    if constexpr (requires { schedule_.validate(); }) schedule_.validate();
  }

  void on_train_begin(auto& ctx) {
    base_ = ctx.learner().learning_rate();
    step_ = 0;
    set(ctx, schedule_.rate(0, base_, base_));
  }
  // A backup's state arrives at the first epoch begin (backup_and_restore applies it after every
  // on_train_begin): the steps it took are replayed before the first batch trains.
  void on_train_batch_begin(auto& ctx) {
    if (!restored_) return;
    restored_ = false;
    double rate = schedule_.rate(0, base_, base_);
    for (std::size_t t = 1; t <= step_; ++t) rate = schedule_.rate(t, rate, base_);
    set(ctx, rate);
  }
  void on_train_batch_end(auto& ctx) {
    if (opts_.every == schedule_step::batch) next(ctx);
  }
  void on_epoch_end(auto& ctx) {
    if (opts_.every == schedule_step::epoch) next(ctx);
  }

  /// Its state for backup_and_restore (which finds it in the fit): the steps taken and the base.
  [[nodiscard]] static std::string state_key() { return "learning_rate_schedule"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    return {{"step", std::to_string(step_)}, {"base", state::number(base_)}};
  }
  void load_state_dict(const cue::state_dict& d) {
    step_ = state::to_count(state::at(d, "step", "learning_rate_schedule"));
    base_ = state::to_double(state::at(d, "base", "learning_rate_schedule"));
    restored_ = true;
  }

  /// The steps taken so far.
  [[nodiscard]] std::size_t steps() const noexcept { return step_; }
  [[nodiscard]] const Schedule& schedule() const noexcept { return schedule_; }

 private:
  void next(auto& ctx) {
    ++step_;
    set(ctx, schedule_.rate(step_, ctx.learner().learning_rate(), base_));
  }
  void set(auto& ctx, double rate) {
    if (!std::isfinite(rate))
      throw std::invalid_argument("cue: learning_rate_schedule: the schedule gave " + python_repr(rate) + " at step " +
                                  std::to_string(step_));
    const double old = ctx.learner().learning_rate();
    ctx.learner().set_learning_rate(rate);
    if (rate != old) emit_if_heard<learning_rate_changed>(ctx, [&] { return learning_rate_changed{old, rate}; });
  }

  Schedule schedule_;
  options opts_;
  double base_ = 0;
  std::size_t step_ = 0;
  bool restored_ = false;
};

}  // namespace cue
