// cue::time_limit: stop training cleanly after a wall-clock budget (Lightning's Timer).
#pragma once

#include <chrono>
#include <concepts>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/python_format.hpp>

namespace cue {

/// Options of `cue::time_limit`.
struct time_limit_options {
  std::chrono::duration<double> max_time{0};  ///< the budget, from train begin
  bool check_every_batch = true;  ///< false: check at epoch ends only (no clock read per batch)
  /// Seconds on a monotonic clock; replace it to test.
  std::function<double()> clock = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
};

/// The fields of time_limit_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<time_limit_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("time_limit_options",
                  field{"max_time", &O::max_time},
                  field{"check_every_batch", &O::check_every_batch});
}

/// Asks the loop to stop once `max_time` has passed since train begin, checked after every batch
/// (or every epoch): the epoch's validation, on_epoch_end and on_train_end still run, so
/// checkpoints and backups are written as after a normal end.
///
/// Hooks: on_train_begin, on_train_batch_end, on_epoch_end.
class time_limit {
 public:
  using options = time_limit_options;

  explicit time_limit(options opts) : opts_(std::move(opts)) {
    if (!(opts_.max_time.count() > 0))
      throw std::invalid_argument("cue: time_limit: max_time must be > 0 seconds, got " +
                                  python_repr(opts_.max_time.count()));
  }

  void on_train_begin(auto&) {
    start_ = opts_.clock();
    stopped_ = false;
  }
  void on_train_batch_end(auto& ctx) {
    if (opts_.check_every_batch) check(ctx);
  }
  void on_epoch_end(auto& ctx) { check(ctx); }

  /// Whether this callback asked the last fit to stop.
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }
  /// Seconds since train begin.
  [[nodiscard]] double elapsed() const { return opts_.clock() - start_; }

 private:
  void check(auto& ctx) {
    if (stopped_ || elapsed() < opts_.max_time.count()) return;
    stopped_ = true;
    ctx.request_stop(stop_reason::time_limit,
                     "Time limit reached. Elapsed time is " + duration_text(elapsed()) + ". Signaling Trainer to stop.");
  }
  // As Python prints a timedelta of whole seconds (Lightning's message): "1 day, 2:03:04".
  static std::string duration_text(double seconds) {
    const auto s = static_cast<long long>(seconds);
    const long long days = s / 86400;
    char hms[32];
    std::snprintf(hms, sizeof hms, "%lld:%02lld:%02lld", s % 86400 / 3600, s % 3600 / 60, s % 60);
    std::string out = days == 0 ? "" : std::to_string(days) + (days == 1 ? " day, " : " days, ");
    return out + hms;
  }

  options opts_;
  double start_ = 0;
  bool stopped_ = false;
};

}  // namespace cue
