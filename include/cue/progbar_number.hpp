// A number as Keras's progress bar prints it: the one form of a metric's value that a person
// reads (the progress bar, alerts, the run's summary). Files and JSON keep every digit.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace cue {

/// 4 decimals, or 4 significant digits in scientific notation at or below 1e-3 in magnitude
/// (Keras: `f"{v:.4f}"` if `abs(v) > 1e-3` else `f"{v:.4e}"`): "1.6562", "0.3830", "5.0000e-04",
/// "nan", "-inf".
[[nodiscard]] inline std::string progbar_number(double v) {
  if (std::isnan(v)) return "nan";  // printf may say "-nan"; Python never does
  char out[32];
  const int n = std::snprintf(out, sizeof out, std::fabs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  return std::string(out, n > 0 ? static_cast<std::size_t>(n) : 0);
}

}  // namespace cue
