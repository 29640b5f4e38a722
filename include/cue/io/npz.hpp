// .npz archives (an uncompressed zip of .npy files, as numpy.savez writes) through xtensor's npy
// support and zlib's crc32: the weight files of cue's nn learners, readable by numpy.load.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

namespace cue::io {

namespace detail {
inline void put16(std::string& s, std::uint16_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>(v >> 8);
}
inline void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
inline std::uint32_t get32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
  return v;
}
inline std::uint16_t get16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) |
                                    (static_cast<unsigned char>(s[at + 1]) << 8));
}
}  // namespace detail

/// Writes `arrays` (name -> array) as an uncompressed .npz to `path` (each entry `name.npy`).
inline void write_npz(const std::string& path, const std::map<std::string, xt::xarray<float>>& arrays) {
  std::string zip, central;
  std::uint16_t count = 0;
  for (const auto& [name, array] : arrays) {
    const std::string data = xt::dump_npy(array);
    const std::string file = name + ".npy";
    const auto crc = static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const auto offset = static_cast<std::uint32_t>(zip.size());
    const auto size = static_cast<std::uint32_t>(data.size());
    // local file header
    detail::put32(zip, 0x04034b50);
    detail::put16(zip, 20), detail::put16(zip, 0), detail::put16(zip, 0);  // version, flags, stored
    detail::put16(zip, 0), detail::put16(zip, 0x21);                        // time, date (1980-01-01)
    detail::put32(zip, crc), detail::put32(zip, size), detail::put32(zip, size);
    detail::put16(zip, static_cast<std::uint16_t>(file.size())), detail::put16(zip, 0);
    zip += file;
    zip += data;
    // central directory entry
    detail::put32(central, 0x02014b50);
    detail::put16(central, 20), detail::put16(central, 20), detail::put16(central, 0);
    detail::put16(central, 0), detail::put16(central, 0), detail::put16(central, 0x21);
    detail::put32(central, crc), detail::put32(central, size), detail::put32(central, size);
    detail::put16(central, static_cast<std::uint16_t>(file.size()));
    detail::put16(central, 0), detail::put16(central, 0), detail::put16(central, 0);
    detail::put16(central, 0), detail::put32(central, 0), detail::put32(central, offset);
    central += file;
    ++count;
  }
  const auto central_offset = static_cast<std::uint32_t>(zip.size());
  zip += central;
  detail::put32(zip, 0x06054b50);
  detail::put16(zip, 0), detail::put16(zip, 0), detail::put16(zip, count), detail::put16(zip, count);
  detail::put32(zip, static_cast<std::uint32_t>(central.size()));
  detail::put32(zip, central_offset);
  detail::put16(zip, 0);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(zip.data(), static_cast<std::streamsize>(zip.size()));
  if (!out) throw std::runtime_error("cue: cannot write " + path);
}

/// Reads an uncompressed .npz of float32 arrays; errors name the file and the problem (not a zip,
/// truncated, a checksum mismatch, a compressed or non-float32 entry).
inline std::map<std::string, xt::xarray<float>> read_npz(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cue: cannot open " + path);
  const std::string zip((std::istreambuf_iterator<char>(in)), {});
  auto fail = [&](const std::string& what) -> std::runtime_error {
    return std::runtime_error("cue: " + path + ": " + what);
  };
  std::map<std::string, xt::xarray<float>> out;
  std::size_t at = 0;
  while (at + 4 <= zip.size() && detail::get32(zip, at) == 0x04034b50) {
    if (at + 30 > zip.size()) throw fail("truncated entry header");
    const auto method = detail::get16(zip, at + 8);
    const auto crc = detail::get32(zip, at + 14);
    const auto size = detail::get32(zip, at + 18);
    const auto name_len = detail::get16(zip, at + 26), extra_len = detail::get16(zip, at + 28);
    const std::size_t data_at = at + 30 + name_len + extra_len;
    if (data_at + size > zip.size()) throw fail("truncated (an entry runs past the end)");
    const std::string name = zip.substr(at + 30, name_len);
    if (method != 0) throw fail("entry " + name + " is compressed; only stored entries are read");
    const std::string data = zip.substr(data_at, size);
    if (static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()),
                                         static_cast<uInt>(data.size()))) != crc)
      throw fail("checksum mismatch in entry " + name);
    if (!name.ends_with(".npy")) throw fail("entry " + name + " is not an .npy array");
    std::istringstream npy(data);
    try {
      out.emplace(name.substr(0, name.size() - 4), xt::load_npy<float>(npy));
    } catch (const std::exception& e) {
      throw fail("entry " + name + " is not a float32 array (" + e.what() + ")");
    }
    at = data_at + size;
  }
  if (out.empty()) throw fail("not an .npz archive (no entries)");
  if (at + 4 > zip.size() || (detail::get32(zip, at) != 0x02014b50 && detail::get32(zip, at) != 0x06054b50))
    throw fail("truncated or corrupt (no central directory after the entries)");
  return out;
}

}  // namespace cue::io
