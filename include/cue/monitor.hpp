// What the monitoring callbacks share (early_stopping, reduce_lr_on_plateau, model_checkpoint):
// the mode, resolved from the metric's name, and Keras's improvement test.
#pragma once

#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cue {

/// Which way a monitored metric improves. `automatic` decides from the name (see below).
enum class mode { automatic, min, max };

/// The direction `automatic` infers from a metric's name without its `val_` prefix: names ending
/// in loss, error, mae, mse, rmse, mape or crossentropy improve downwards; accuracy, acc, auc,
/// precision, recall or f1 upwards; any other name has no direction (std::nullopt).
/// (Keras 3 infers only `loss` by name and otherwise asks the compiled metrics, failing after the
/// first epoch; cue decides before training starts.)
[[nodiscard]] constexpr std::optional<mode> direction_of(std::string_view name) noexcept {
  if (name.starts_with("val_")) name.remove_prefix(4);
  constexpr std::array<std::string_view, 7> down{"loss", "error", "mae", "mse",
                                                 "rmse", "mape", "crossentropy"};
  constexpr std::array<std::string_view, 6> up{"accuracy", "acc", "auc", "precision", "recall", "f1"};
  for (auto suffix : down)
    if (name.ends_with(suffix)) return mode::min;
  for (auto suffix : up)
    if (name.ends_with(suffix)) return mode::max;
  return std::nullopt;
}

/// The mode `m` for the metric `name`, with `automatic` resolved; throws std::invalid_argument
/// naming the callback and the metric when `automatic` cannot tell.
[[nodiscard]] inline mode resolve_mode(mode m, std::string_view name, std::string_view callback) {
  if (m != mode::automatic) return m;
  if (auto d = direction_of(name)) return *d;
  throw std::invalid_argument("cue: " + std::string(callback) + ": mode automatic cannot tell "
                              "whether '" + std::string(name) + "' improves upwards or downwards; "
                              "set .mode = cue::mode::min or cue::mode::max");
}

/// Keras's `MonitorCallback._is_improvement`: with no reference, anything improves; otherwise
/// `current` must beat `reference` by more than |min_delta|, strictly. NaN never improves a
/// reference, and a NaN reference is never beaten. (Keras compares in float32 on its training
/// backends; cue's logs are doubles and compare in double, as Keras's numpy backend does.)
[[nodiscard]] constexpr bool is_improvement(double current, std::optional<double> reference,
                                            mode resolved, double min_delta) noexcept {
  if (!reference) return true;
  const double delta = min_delta < 0 ? -min_delta : min_delta;
  return resolved == mode::min ? current + delta < *reference : current - delta > *reference;
}

}  // namespace cue
