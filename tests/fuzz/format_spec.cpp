// libFuzzer target: any bytes as a file path template (Python's str.format mini-language), every
// field given a value, formatted as model_checkpoint formats its filepath: either a string no
// longer than the template's fields allow, or std::invalid_argument; never a crash, a hang or a
// huge allocation (`{epoch:2147483647d}` once built a 2 GB string).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <cue/python_format.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the value every field gets: an integer or a float, finite or not.
  static constexpr double floats[] = {0.0, -1.5, 1e308, -1e-308, 3.25e-7, __builtin_nan(""), __builtin_inf()};
  const unsigned pick = data[0];
  const std::string_view pattern(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const std::string out = cue::python_format(pattern, [&](std::string_view) -> std::optional<cue::format_value> {
      if (pick % 2 == 0) return cue::format_value{static_cast<long long>(pick) - 128};
      return cue::format_value{floats[pick / 2 % 7]};
    });
    // Each field yields at most max_format_width characters plus the longest number (a %f of
    // 1e308: 309 digits, times 100 for '%').
    if (out.size() > pattern.size() * (cue::max_format_width + 420)) std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
