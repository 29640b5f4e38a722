// cue::state_dict: what a stateful callback (or dataset) saves so a resumed run continues it
// exactly (PyTorch Lightning's state_dict), and the text file that carries it: versioned and
// checksummed, so a corrupt or truncated file is refused rather than half-read.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <cue/python_format.hpp>

namespace cue {

/// Named values, as text. Numbers are written so that they read back exactly.
using state_dict = std::map<std::string, std::string>;

/// A type that can save and restore its state: `state_dict()` and `load_state_dict(d)`.
template <class T>
concept stateful = requires(T& t, const state_dict& d) {
  { t.state_dict() } -> std::same_as<state_dict>;
  t.load_state_dict(d);
};

namespace state {

inline std::string number(double v) { return python_repr(v); }
inline std::string number(std::optional<double> v) { return v ? python_repr(*v) : std::string("none"); }
inline double to_double(const std::string& s) {
  if (s == "nan") return std::nan("");
  if (s == "inf") return INFINITY;
  if (s == "-inf") return -INFINITY;
  std::size_t used = 0;
  const double v = std::stod(s, &used);
  if (used != s.size()) throw std::invalid_argument("cue: state: '" + s + "' is not a number");
  return v;
}
inline std::optional<double> to_optional(const std::string& s) {
  if (s == "none") return std::nullopt;
  return to_double(s);
}
/// Floats, each exactly (9 significant digits round-trip a float32).
inline std::string floats(const std::vector<float>& v) {
  std::string out;
  char buf[32];
  for (float f : v) {
    std::snprintf(buf, sizeof buf, "%.9g ", static_cast<double>(f));
    out += buf;
  }
  return out;
}
inline std::vector<float> to_floats(const std::string& s) {
  std::vector<float> out;
  std::istringstream in(s);
  std::string word;
  while (in >> word) out.push_back(static_cast<float>(to_double(word)));
  return out;
}
/// The value at `key`, or an error naming the key and the file part it belongs to.
inline const std::string& at(const state_dict& d, const std::string& key, const std::string& owner) {
  const auto it = d.find(key);
  if (it == d.end()) throw std::runtime_error("cue: the saved state of " + owner + " has no '" + key + "'");
  return it->second;
}

// CRC-32 (IEEE), so the file needs no library beyond the standard one.
inline std::uint32_t crc32(const std::string& s) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : s) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

inline constexpr int format_version = 1;

/// The text of a state file: a version line, one `key<TAB>value` line per entry (values without
/// newlines), then `crc32 <hex>` over everything before it.
inline std::string serialize(const state_dict& d) {
  std::string body = "cue-state " + std::to_string(format_version) + "\n";
  for (const auto& [k, v] : d) {
    if (k.find_first_of("\t\n") != std::string::npos || v.find('\n') != std::string::npos)
      throw std::invalid_argument("cue: state: key '" + k + "' or its value has a tab or newline");
    body += k;
    body += '\t';
    body += v;
    body += '\n';
  }
  char crc[32];
  std::snprintf(crc, sizeof crc, "crc32 %08x\n", crc32(body));
  return body + crc;
}

/// Parses a state file's text; errors name `path` and what is wrong (version, truncation,
/// checksum).
inline state_dict parse(const std::string& text, const std::string& path) {
  auto fail = [&](const std::string& what) { return std::runtime_error("cue: " + path + ": " + what); };
  if (!text.starts_with("cue-state ")) throw fail("not a cue state file");
  const auto last = text.rfind("crc32 ");
  if (last == std::string::npos || !text.ends_with("\n")) throw fail("truncated (no checksum line)");
  const std::string body = text.substr(0, last);
  char expected[32];
  std::snprintf(expected, sizeof expected, "%08x", crc32(body));
  if (text.substr(last + 6, 8) != expected) throw fail("checksum mismatch (corrupt or truncated)");
  std::istringstream in(body);
  std::string line;
  std::getline(in, line);
  if (line != "cue-state " + std::to_string(format_version))
    throw fail("format '" + line + "' is not version " + std::to_string(format_version) + " of cue's");
  state_dict d;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) throw fail("malformed line '" + line.substr(0, 40) + "'");
    d[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return d;
}

inline state_dict read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cue: cannot open " + path);
  return parse(std::string(std::istreambuf_iterator<char>(in), {}), path);
}

}  // namespace state
}  // namespace cue
