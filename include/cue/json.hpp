// The one JSON encoder of cue: everything cue writes as JSON (the registry, the summary, alerts,
// the remote monitor, configuration errors) goes through it, and it never throws. Needs
// nlohmann-json (Debian: nlohmann-json3-dev).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <cue/python_format.hpp>
#include <cue/utf8.hpp>

namespace cue::json {

using cue::replaced_utf8;
using cue::valid_utf8;

/// `j` as text (`indent` < 0: one line). Bytes that are not UTF-8 in its strings are replaced by
/// U+FFFD, non-finite numbers are null (JSON has neither); never throws (a value that cannot be
/// written at all, which takes running out of memory, is written `null`).
[[nodiscard]] inline std::string dump(const nlohmann::ordered_json& j, int indent = -1) noexcept {
  try {
    return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  } catch (...) {
    return "null";
  }
}

/// A number as JSON has it: null when not finite.
[[nodiscard]] inline nlohmann::ordered_json number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

/// Hexadecimal digits of `bytes`, two per byte.
[[nodiscard]] inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

/// Sets `j[key]` to a file path. A path that is not UTF-8 (a byte 0xff in a name) cannot be a
/// JSON string faithfully: `key` then holds it with U+FFFD for those bytes, for reading, and
/// `key + "_hex"` holds its exact bytes, for opening the file (`bytes.fromhex(...)` in Python).
inline void put_path(nlohmann::ordered_json& j, const std::string& key, std::string_view path) {
  j[key] = replaced_utf8(path);
  if (!valid_utf8(path)) j[key + "_hex"] = hex(path);
}

/// json.dumps's text of a string with Python's defaults (`ensure_ascii`): `"`, `\` and control
/// characters escaped, everything past ASCII as \uXXXX (surrogate pairs past U+FFFF), and a byte
/// that is not UTF-8 as \ufffd.
[[nodiscard]] inline std::string python_string(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "\"";
  auto unit = [&](std::uint32_t u) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += digits[(u >> shift) & 15];
  };
  const std::string text = replaced_utf8(s);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7f) unit(c);
          else out += static_cast<char>(c);
      }
      continue;
    }
    const std::size_t n = c <= 0xDF ? 1 : c <= 0xEF ? 2 : 3;
    std::uint32_t cp = c & (n == 1 ? 0x1Fu : n == 2 ? 0x0Fu : 0x07u);
    for (std::size_t k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
    i += n + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3FF));
    } else {
      unit(cp);
    }
  }
  out += '"';
  return out;
}

/// json.dumps's text of a flat object of numbers, as Keras's RemoteMonitor sends it: keys in the
/// order added, `", "` and `": "` between them, floats as Python's repr; a non-finite float as
/// Python writes it (`NaN`, `Infinity`, `-Infinity`), or as `null` for strict JSON.
class python_object {
 public:
  explicit python_object(bool non_finite_as_null = false) : null_(non_finite_as_null) {}
  python_object& add(std::string_view key, long long v) {
    separate(key);
    text_ += std::to_string(v);
    return *this;
  }
  python_object& add(std::string_view key, double v) {
    separate(key);
    if (std::isfinite(v)) text_ += python_repr(v);
    else if (null_) text_ += "null";
    else text_ += std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
    return *this;
  }
  [[nodiscard]] std::string str() const { return "{" + text_ + "}"; }

 private:
  void separate(std::string_view key) {
    if (!text_.empty()) text_ += ", ";
    text_ += python_string(key);
    text_ += ": ";
  }
  bool null_;
  std::string text_;
};

}  // namespace cue::json
