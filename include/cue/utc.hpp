// Times as text, in UTC: the one formatter of alerts' messages, the registry's lines and e-mail's
// Date header.
#pragma once

#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>

namespace cue {

/// `t` in UTC, formatted by strftime's `format`.
[[nodiscard]] inline std::string utc_text(std::time_t t, const char* format) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char out[64];
  const std::size_t n = std::strftime(out, sizeof out, format, &tm);
  return std::string(out, n);
}

/// Now, as UTC ISO 8601 with seconds (2026-08-30T12:00:00Z).
[[nodiscard]] inline std::string utc_now() {
  return utc_text(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()), "%Y-%m-%dT%H:%M:%SZ");
}

}  // namespace cue
