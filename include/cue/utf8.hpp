// Text that cue did not make (paths, exception messages, titles) checked as UTF-8 before it goes
// where only UTF-8 may go: JSON, XML, mail headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cue {

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
[[nodiscard]] inline bool valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) n = 1, cp = c & 0x1Fu;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, cp = c & 0x0Fu;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, cp = c & 0x07u;
    else return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

/// `s` as it can be shown, as nlohmann-json's `error_handler_t::replace` writes it: each invalid
/// sequence (a byte that cannot start one, or the start of one cut short) becomes one U+FFFD, and
/// the byte that cut it short is read again, as it may start a character of its own.
[[nodiscard]] inline std::string replaced_utf8(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  std::string out;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = byte(i);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0xC2 || c > 0xF4) {  // not a first byte
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    const std::size_t n = c <= 0xDF ? 2 : c <= 0xEF ? 3 : 4;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    std::size_t j = i + 1;
    for (; j < i + n && j < s.size(); ++j) {
      const unsigned char b = byte(j);
      if (j == i + 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
    }
    if (j == i + n) {
      out.append(s.substr(i, n));
    } else {
      out += "\xEF\xBF\xBD";  // cut short: the byte at j is read again
    }
    i = j;
  }
  return out;
}

}  // namespace cue
