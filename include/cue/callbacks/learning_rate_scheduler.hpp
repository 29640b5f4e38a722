// cue::learning_rate_scheduler: set the learning rate at each epoch's start from a schedule
// (Keras's LearningRateScheduler).
#pragma once

#include <cmath>
#include <concepts>
#include <iostream>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/learner.hpp>
#include <cue/python_format.hpp>
#include <cue/run_events.hpp>

namespace cue {

/// Options of `cue::learning_rate_scheduler`, as Keras's.
struct learning_rate_scheduler_options {
  int verbose = 0;  ///< 1: print each new rate
};

/// The fields of learning_rate_scheduler_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<learning_rate_scheduler_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("learning_rate_scheduler_options",
                  field{"verbose", &O::verbose});
}

/// A schedule: `double(int epoch, double lr)` or `double(int epoch)`, returning a floating-point
/// rate (Keras rejects an integer result; here it does not compile).
template <class F>
concept lr_schedule =
    (std::invocable<F&, int, double> &&
     std::floating_point<std::remove_cvref_t<std::invoke_result_t<F&, int, double>>>) ||
    (std::invocable<F&, int> &&
     std::floating_point<std::remove_cvref_t<std::invoke_result_t<F&, int>>>);

/// Sets the learner's learning rate to `schedule(epoch, current_rate)` (or `schedule(epoch)`)
/// at every epoch's start, as Keras 3's LearningRateScheduler; `epoch` is the absolute 0-based
/// index, so a resumed fit continues the schedule. A non-finite result is an error naming the
/// epoch. The rate each epoch used appears in the epoch logs as `learning_rate`.
///
/// Hooks: on_epoch_begin. Needs a learner with learning_rate() and set_learning_rate(double).
template <class F>
class learning_rate_scheduler {
  static_assert(detail::holds<lr_schedule<F>>,
                "cue: learning_rate_scheduler needs a schedule callable as double(int epoch, "
                "double lr) or double(int epoch), returning a floating-point rate (Keras rejects "
                "an integer rate too)");

 public:
  using needs = cue::needs<capability::learning_rate>;
  using emits = cue::emits<learning_rate_changed>;
  using options = learning_rate_scheduler_options;

  explicit learning_rate_scheduler(F schedule, const options& opts = {})
      : schedule_(std::move(schedule)), opts_(opts) {}

  void on_epoch_begin(auto& ctx) {
    double lr;
    if constexpr (std::invocable<F&, int, double>)
      lr = static_cast<double>(schedule_(ctx.epoch(), ctx.learner().learning_rate()));
    else
      lr = static_cast<double>(schedule_(ctx.epoch()));
    if (!std::isfinite(lr))
      throw std::invalid_argument("cue: learning_rate_scheduler: the schedule returned " +
                                  python_repr(lr) + " for epoch " + std::to_string(ctx.epoch()));
    const double old_lr = ctx.learner().learning_rate();
    ctx.learner().set_learning_rate(lr);
    if (lr != old_lr)
      emit_if_heard<learning_rate_changed>(ctx, [&] { return learning_rate_changed{old_lr, lr}; });
    if (opts_.verbose > 0)
      std::cout << "\nEpoch " << ctx.epoch() + 1 << ": LearningRateScheduler setting learning rate to "
                << python_repr(lr) << ".\n";
  }

  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  F schedule_;
  options opts_;
};

}  // namespace cue
