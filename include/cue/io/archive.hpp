// cue's one file format, for checkpoints and backups alike: an uncompressed zip, as numpy.savez
// writes (so numpy.load opens it), whose every entry carries a CRC-32, plus a manifest entry
// `cue.txt` holding the format version, the file's kind, its named values, the list of its other
// entries and a checksum of its own. Standard C++ and POSIX only: a learner without xtensor can
// use it.
#pragma once

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <cue/io/atomic_file.hpp>
#include <cue/state.hpp>

namespace cue::io {

/// The version of the format this cue writes, and the only one it reads.
inline constexpr int format_version = 1;

namespace detail {
// Checked on every load. The fuzzers alone turn it off at start-up, so that mutated inputs reach
// the parsers behind the checksums; a variable rather than a macro keeps one definition of
// every inline function in every translation unit.
inline bool verify_checksums = true;
}  // namespace detail

/// CRC-32 (IEEE 802.3, zip's), table-driven.
inline std::uint32_t crc32(std::string_view bytes) {
  static constexpr auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xFFu] ^ (c >> 8);
  return ~c;
}

/// What a cue file holds: its kind (what wrote it: "weights", "learner", "backup"...), named
/// values (text, exact) and named binary entries (a learner's arrays as .npy, say).
struct archive {
  std::string kind;
  state_dict values;
  std::map<std::string, std::string> entries;
};

namespace detail {
inline void put16(std::string& s, std::uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
inline void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}
inline std::uint32_t get16(const std::string& s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8;
}
inline std::uint32_t get32(const std::string& s, std::size_t at) { return get16(s, at) | get16(s, at + 2) << 16; }

inline constexpr std::string_view manifest_name = "cue.txt";
inline constexpr std::string_view magic = "cue-format ";

inline bool plain(std::string_view s) { return s.find_first_of("\t\n") == std::string_view::npos; }

// The manifest: `cue-format 1`, `kind`, one line per entry name, one per value, then the CRC-32
// of the lines before it.
inline std::string manifest(const archive& a) {
  if (!plain(a.kind) || a.kind.find(' ') != std::string::npos)
    throw std::invalid_argument("cue: archive kind '" + a.kind + "' has a space, tab or newline");
  std::string body(magic);
  body += std::to_string(format_version) + "\nkind\t" + a.kind + "\n";
  for (const auto& [name, bytes] : a.entries) {
    if (!plain(name) || name.empty() || name == manifest_name || name.size() > 0xffff)
      throw std::invalid_argument("cue: archive entry name '" + name + "' is empty, reserved or has a tab or newline");
    body += "entry\t" + name + "\n";
  }
  for (const auto& [key, value] : a.values) {
    if (!plain(key) || value.find('\n') != std::string::npos)
      throw std::invalid_argument("cue: archive value '" + key + "' has a tab or newline in its key or a newline in its value");
    body += "value\t" + key + "\t" + value + "\n";
  }
  char crc[24];
  std::snprintf(crc, sizeof crc, "crc32\t%08x\n", static_cast<unsigned>(crc32(body)));
  return body + crc;
}

// Reads a manifest: kind, values and the entry names (with empty contents); errors name `path`.
inline archive read_manifest(const std::string& text, const std::string& path) {
  auto fail = [&](const std::string& what) { return std::runtime_error("cue: " + path + ": " + what); };
  if (!text.starts_with(magic)) throw fail("the cue.txt manifest does not start with '" + std::string(magic) + "'");
  const auto last = text.rfind("crc32\t");
  if (last == std::string::npos || text.size() != last + 15 || !text.ends_with("\n"))
    throw fail("the manifest is truncated (no checksum line)");
  const std::string body = text.substr(0, last);
  char expected[16];
  std::snprintf(expected, sizeof expected, "%08x", static_cast<unsigned>(crc32(body)));
  if (verify_checksums && text.compare(last + 6, 8, expected) != 0) throw fail("checksum mismatch in the manifest (the file is corrupt)");
  std::istringstream in(body);
  std::string line;
  std::getline(in, line);
  const std::string version = line.substr(magic.size());
  if (version != std::to_string(format_version))
    throw fail("written in cue file format " + version.substr(0, 20) + "; this cue reads format " +
               std::to_string(format_version) + " only (use the cue version that wrote it)");
  archive a;
  std::getline(in, line);
  if (!line.starts_with("kind\t")) throw fail("the manifest names no kind");
  a.kind = line.substr(5);
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    const auto second = tab == std::string::npos ? tab : line.find('\t', tab + 1);
    if (line.starts_with("entry\t"))
      a.entries.emplace(line.substr(6), std::string());
    else if (line.starts_with("value\t") && second != std::string::npos)
      a.values[line.substr(6, second - 6)] = line.substr(second + 1);
    else
      throw fail("malformed manifest line '" + line.substr(0, 40) + "'");
  }
  return a;
}

// An uncompressed zip of `files` (name -> bytes), in name order.
inline std::string zip(const std::map<std::string, std::string_view>& files) {
  std::string out, central;
  for (const auto& file : files) {
    const std::string& name = file.first;  // not a structured binding: clang 14's lambdas cannot capture one
    const std::string_view data = file.second;
    if (files.size() > 0xffff || out.size() + data.size() + name.size() + 30 >= 0xffffffffu)
      throw std::invalid_argument("cue: archive entry '" + name + "' is one too many or too large for a zip without zip64");
    const auto crc = crc32(data);
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto size = static_cast<std::uint32_t>(data.size());
    auto common = [&](std::string& s) {  // version needed .. name length, shared by both headers
      detail::put16(s, 20), detail::put16(s, 0), detail::put16(s, 0);  // version, flags, stored
      detail::put16(s, 0), detail::put16(s, 0x21);                     // time, date: 1980-01-01
      detail::put32(s, crc), detail::put32(s, size), detail::put32(s, size);
      detail::put16(s, static_cast<std::uint32_t>(name.size()));
    };
    detail::put32(out, 0x04034b50);
    common(out);
    detail::put16(out, 0);  // extra length
    out += name;
    out += data;
    detail::put32(central, 0x02014b50);
    detail::put16(central, 20);  // made by
    common(central);
    detail::put16(central, 0), detail::put16(central, 0), detail::put16(central, 0);  // extra, comment, disk
    detail::put16(central, 0), detail::put32(central, 0), detail::put32(central, offset);
    central += name;
  }
  const auto central_at = static_cast<std::uint32_t>(out.size());
  out += central;
  detail::put32(out, 0x06054b50);
  detail::put16(out, 0), detail::put16(out, 0);
  detail::put16(out, static_cast<std::uint32_t>(files.size())), detail::put16(out, static_cast<std::uint32_t>(files.size()));
  detail::put32(out, static_cast<std::uint32_t>(central.size())), detail::put32(out, central_at);
  detail::put16(out, 0);
  return out;
}

// The entries of an uncompressed zip, each checked against its CRC-32; errors name `path`.
inline std::map<std::string, std::string> unzip(const std::string& zip, const std::string& path) {
  auto fail = [&](const std::string& what) { return std::runtime_error("cue: " + path + ": " + what); };
  std::map<std::string, std::string> files;
  std::size_t at = 0;
  while (at + 4 <= zip.size() && get32(zip, at) == 0x04034b50) {
    if (at + 30 > zip.size()) throw fail("truncated (an entry header runs past the end)");
    const auto flags = get16(zip, at + 6), method = get16(zip, at + 8);
    const auto crc = get32(zip, at + 14), size = get32(zip, at + 18);
    const auto name_len = get16(zip, at + 26), extra_len = get16(zip, at + 28);
    const std::size_t data_at = at + 30 + name_len + extra_len;
    if (data_at + size > zip.size()) throw fail("truncated (an entry runs past the end)");
    std::string name = zip.substr(at + 30, name_len);
    if (method != 0 || (flags & 0x8) != 0)
      throw fail("entry '" + name + "' is compressed or streamed; cue files store entries as they are");
    std::string data = zip.substr(data_at, size);
    if (verify_checksums && crc32(data) != crc) throw fail("checksum mismatch in entry '" + name + "' (the file is corrupt)");
    if (!files.emplace(name, std::move(data)).second) throw fail("entry '" + name + "' appears twice");
    at = data_at + size;
  }
  if (files.empty()) throw fail("not a cue file (not a zip archive)");
  // The directory must follow the entries and the end record close the file, as cue writes them:
  // a file cut anywhere is refused, even where every entry before the cut is whole.
  const std::size_t end_at = zip.size() >= 22 ? zip.size() - 22 : 0;
  if (zip.size() < at + 22 || get32(zip, end_at) != 0x06054b50 || get16(zip, end_at + 10) != files.size() ||
      get32(zip, end_at + 16) != at || at + get32(zip, end_at + 12) != end_at)
    throw fail("truncated or corrupt (the zip directory after the entries is missing or wrong)");
  return files;
}
}  // namespace detail

/// The bytes of `a` as a file: an uncompressed zip of its entries and the manifest.
inline std::string serialize(const archive& a) {
  std::map<std::string, std::string_view> files(a.entries.begin(), a.entries.end());
  const std::string manifest = detail::manifest(a);
  files[std::string(detail::manifest_name)] = manifest;
  return detail::zip(files);
}

/// Parses a file's bytes; `path` names it in errors, which say what is wrong: not a cue file, a
/// version this cue does not read, truncation, a checksum mismatch, a missing or unlisted entry.
inline archive parse(const std::string& bytes, const std::string& path) {
  auto fail = [&](const std::string& what) { return std::runtime_error("cue: " + path + ": " + what); };
  auto files = detail::unzip(bytes, path);
  const auto manifest = files.find(std::string(detail::manifest_name));
  if (manifest == files.end())
    throw fail("not a cue file (a zip without the cue.txt manifest; written by another program?)");
  archive a = detail::read_manifest(manifest->second, path);
  files.erase(manifest);
  for (const auto& [name, data] : files)
    if (!a.entries.contains(name)) throw fail("entry '" + name + "' is not in the manifest");
  for (auto& [name, data] : a.entries) {
    auto it = files.find(name);
    if (it == files.end()) throw fail("entry '" + name + "' listed in the manifest is missing");
    data = std::move(it->second);
  }
  return a;
}

/// Writes `a` to `path` atomically (write_atomically: a crash leaves the previous file or the
/// new one, never part of one).
inline void save_archive(const std::filesystem::path& path, const archive& a) {
  const std::string bytes = serialize(a);
  write_atomically(path, [&](const std::filesystem::path& tmp) { detail::write_file(tmp, bytes); });
}

/// Reads the cue file at `path`; with `kind`, also checks that the file is of that kind.
inline archive load_archive(const std::filesystem::path& path, std::string_view kind = {}) {
  if (std::filesystem::is_directory(path)) throw std::runtime_error("cue: " + path.string() + " is a directory, not a cue file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "cue: cannot open " + path.string());
  archive a = parse(std::string(std::istreambuf_iterator<char>(in), {}), path.string());
  if (!kind.empty() && a.kind != kind)
    throw std::runtime_error("cue: " + path.string() + " holds a " + a.kind + " file, not a " + std::string(kind) + " file");
  return a;
}

}  // namespace cue::io
