// The conditions cue::alert watches: over the epoch's logs (a metric above or below a threshold,
// a spike against its best, a non-finite value), and training stopped or failed.
#pragma once

#include <cmath>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <cue/alerts/message.hpp>
#include <cue/context.hpp>
#include <cue/fixed_string.hpp>
#include <cue/logs.hpp>
#include <cue/monitor.hpp>
#include <cue/python_format.hpp>
#include <cue/state.hpp>
#include <cue/stop_reason.hpp>

namespace cue::rules {

/// What a metric rule found at an epoch's end.
struct finding {
  bool holds = false;
  double value = 0;
  std::optional<double> reference{};
};

/// The metric is above `threshold` (`val_loss > 10`: exploding gradients).
template <fixed_string Metric>
struct above {
  using monitored = names<Metric>;
  double threshold;
  std::string title = std::string(Metric.view()) + " above " + python_repr(threshold);
  alert_level level = alert_level::warning;

  static constexpr std::string_view metric() noexcept { return Metric.view(); }
  static constexpr std::string_view reference_name() noexcept { return "threshold"; }
  [[nodiscard]] std::string rule() const { return std::string(Metric.view()) + " > " + python_repr(threshold); }
  [[nodiscard]] finding check(double v) const noexcept { return {v > threshold, v, threshold}; }
};

/// The metric is below `threshold` (`accuracy < 0.2`: the model has stopped learning).
template <fixed_string Metric>
struct below {
  using monitored = names<Metric>;
  double threshold;
  std::string title = std::string(Metric.view()) + " below " + python_repr(threshold);
  alert_level level = alert_level::warning;

  static constexpr std::string_view metric() noexcept { return Metric.view(); }
  static constexpr std::string_view reference_name() noexcept { return "threshold"; }
  [[nodiscard]] std::string rule() const { return std::string(Metric.view()) + " < " + python_repr(threshold); }
  [[nodiscard]] finding check(double v) const noexcept { return {v < threshold, v, threshold}; }
};

/// The metric is worse than its best so far by `factor`: for a metric that improves downwards
/// (`mode` as the monitoring callbacks resolve it), above `factor * best`; upwards, below
/// `best / factor`. Meant for positive metrics (losses, accuracies). The best is the best finite
/// value of the epochs before, kept in backups; the first epoch sets it and never holds.
template <fixed_string Metric>
struct spike {
  using monitored = names<Metric>;
  double factor = 1.5;
  cue::mode mode = cue::mode::automatic;
  std::string title = std::string(Metric.view()) + " spike";
  alert_level level = alert_level::warning;
  std::optional<double> best{};

  static constexpr std::string_view metric() noexcept { return Metric.view(); }
  static constexpr std::string_view reference_name() noexcept { return "best"; }
  void validate() {
    if (!(factor > 1)) throw std::invalid_argument("cue: rules::spike: factor must be > 1, got " + python_repr(factor));
    mode = resolve_mode(mode, Metric.view(), "rules::spike");
  }
  [[nodiscard]] std::string rule() const {
    return std::string(Metric.view()) + (mode == cue::mode::min ? " > " : " < best / ") +
           (mode == cue::mode::min ? python_repr(factor) + " * best" : python_repr(factor));
  }
  [[nodiscard]] finding check(double v) {
    finding f{false, v, best};
    if (best) f.holds = mode == cue::mode::min ? v > factor * *best : v < *best / factor;
    if (std::isfinite(v) && (!best || (mode == cue::mode::min ? v < *best : v > *best))) best = v;
    return f;
  }
  void save(state_dict& d, const std::string& prefix) const { d[prefix + "best"] = state::number(best); }
  void load(const state_dict& d, const std::string& prefix) { best = state::to_optional(state::at(d, prefix + "best", "alert")); }
};

/// The metric is NaN or infinite.
template <fixed_string Metric>
struct non_finite {
  using monitored = names<Metric>;
  std::string title = std::string(Metric.view()) + " is not finite";
  alert_level level = alert_level::error;

  static constexpr std::string_view metric() noexcept { return Metric.view(); }
  static constexpr std::string_view reference_name() noexcept { return ""; }
  [[nodiscard]] std::string rule() const { return std::string(Metric.view()) + " is NaN or infinite"; }
  [[nodiscard]] finding check(double v) const noexcept { return {!std::isfinite(v), v, std::nullopt}; }
};

/// Training ended because a stop was requested (early stopping, a time limit, a signal, NaN...),
/// with the reason and its message; `reasons` limits it to some (empty: any).
struct stopped {
  std::vector<cue::stop_reason> reasons{};
  std::string title = "training stopped";
  alert_level level = alert_level::info;

  [[nodiscard]] bool applies(const run_state& s) const {
    if (s.stop_reason == cue::stop_reason::not_stopped && !s.stop) return false;
    if (reasons.empty()) return true;
    for (auto r : reasons)
      if (r == s.stop_reason) return true;
    return false;
  }
};

/// Training failed: an exception left the loop (its type's message, at most 30 lines).
struct failed {
  std::string title = "training failed";
  alert_level level = alert_level::error;
};

}  // namespace cue::rules
