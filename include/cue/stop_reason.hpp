// cue::stop_reason: why training stopped, as the callback that asked for it says.
#pragma once

#include <string_view>

namespace cue {

/// Why a fit stopped before its last planned epoch (Lightning's reasons, and cue's own).
enum class stop_reason {
  not_stopped,           ///< every planned epoch ran
  requested,             ///< `ctx.request_stop()` without a reason
  patience_exhausted,    ///< early_stopping: no improvement for `patience` epochs
  stopping_threshold,    ///< early_stopping: the metric reached its goal
  divergence_threshold,  ///< early_stopping: the metric got worse than its limit
  non_finite_metric,     ///< early_stopping with check_finite: the metric is NaN or infinite
  non_finite_loss,       ///< terminate_on_nan: the loss is NaN or infinite
  time_limit,            ///< time_limit: the run's time is up
  signal,                ///< stop_on_signal: SIGINT or SIGTERM
};

/// The reason's name, as written in summaries: "patience_exhausted".
[[nodiscard]] constexpr std::string_view name(stop_reason r) noexcept {
  switch (r) {
    case stop_reason::not_stopped: return "not_stopped";
    case stop_reason::requested: return "requested";
    case stop_reason::patience_exhausted: return "patience_exhausted";
    case stop_reason::stopping_threshold: return "stopping_threshold";
    case stop_reason::divergence_threshold: return "divergence_threshold";
    case stop_reason::non_finite_metric: return "non_finite_metric";
    case stop_reason::non_finite_loss: return "non_finite_loss";
    case stop_reason::time_limit: return "time_limit";
    case stop_reason::signal: return "signal";
  }
  return "unknown";
}

}  // namespace cue
