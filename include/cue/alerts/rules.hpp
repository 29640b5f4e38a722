// The conditions cue::alert watches: over the epoch's logs (a metric above or below a threshold,
// a spike against its best, a non-finite value), and training stopped or failed.
#pragma once

#include <cmath>
#include <exception>
#include <optional>
#include <stdexcept>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
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

/// A value the rule cannot do without: `above<"loss">{}` is a compile error, not a rule that fires
/// at 0. It reads as the double it holds.
struct required_threshold {
  double value;
  constexpr required_threshold(double v) noexcept : value(v) {}  // NOLINT(google-explicit-constructor)
  // The default constructor, which an aggregate without `.threshold` calls, is a template so that
  // its check fires only when it is used (not constexpr: a trait asking whether the rule can be
  // default-constructed, as std::tuple's does, must not instantiate it).
  template <class Unset = void>
  required_threshold() noexcept : value(0) {
    static_assert(!std::is_void_v<Unset>,
                  "cue: rules::above and rules::below need a threshold: write "
                  "cue::rules::above<\"val_loss\">{.threshold = 10.0}");
  }
  constexpr operator double() const noexcept { return value; }  // NOLINT(google-explicit-constructor)
};

/// The metric is above `threshold` (`val_loss > 10`: exploding gradients).
template <fixed_string Metric>
struct above {
  using monitored = names<Metric>;
  required_threshold threshold;
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
  required_threshold threshold;
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

/// A rule over one metric of the epoch's logs, as above, below, spike and non_finite are; a user's
/// own rule is one too: `using monitored = cue::names<"metric">;`, `static metric()` and
/// `static reference_name()` (string views), `rule()` (its text), `check(double value)` returning
/// a `cue::rules::finding` (it may update the rule, as spike keeps its best), and the fields
/// `title` and `level`.
template <class R>
concept metric_rule = requires(R& r, double v) {
  typename R::monitored;
  { R::metric() } -> std::convertible_to<std::string_view>;
  { R::reference_name() } -> std::convertible_to<std::string_view>;
  { r.rule() } -> std::convertible_to<std::string>;
  { r.check(v) } -> std::same_as<finding>;
  { r.title } -> std::convertible_to<std::string>;
  { r.level } -> std::convertible_to<alert_level>;
};

/// What cue::alert can watch: a metric rule, or the end of training (stopped, failed).
template <class R>
concept rule = metric_rule<R> || std::same_as<R, stopped> || std::same_as<R, failed>;

}  // namespace cue::rules

namespace cue::detail {
// The check's condition as a named constant: a failure names the rule type in the note below it.
template <class R>
inline constexpr bool is_a_rule = rules::rule<R>;
template <class R>
consteval bool check_rule() {
  static_assert(is_a_rule<R>,
                "cue: cue::alert was given a rule it cannot watch (the type: in the note below); a rule is "
                "cue::rules::above, below, spike, non_finite, stopped or failed, or a metric rule of your own: "
                "`using monitored = cue::names<\"metric\">;`, static metric() and reference_name(), rule(), "
                "check(double) returning cue::rules::finding, and the fields title and level "
                "(cue::rules::metric_rule)");
  return true;
}
}  // namespace cue::detail
