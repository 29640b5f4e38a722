// The IDX format of MNIST and Fashion-MNIST, read from .gz files through zlib (or uncompressed).
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

namespace cue::data {

/// Reads an IDX file of unsigned bytes (type 0x08), gzip-compressed or not. Every problem is a
/// std::runtime_error naming the file: missing, not gzip/IDX, an unsupported type, truncated, or
/// trailing bytes.
inline xt::xarray<std::uint8_t> read_idx(const std::filesystem::path& path) {
  auto fail = [&](const std::string& what) {
    return std::runtime_error("cue: " + path.string() + ": " + what);
  };
  if (!std::filesystem::exists(path)) throw fail("no such file");
  gzFile f = gzopen(path.c_str(), "rb");  // also reads a file that is not compressed
  if (!f) throw fail("cannot open");
  std::vector<unsigned char> bytes;
  unsigned char chunk[1 << 16];
  int n;
  while ((n = gzread(f, chunk, sizeof chunk)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  int err = 0;
  const char* message = gzerror(f, &err);
  const std::string zlib_message = message ? message : "";
  gzclose(f);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END))
    throw fail("corrupt gzip data (" + zlib_message + ")");
  if (bytes.size() < 4) throw fail("truncated: " + std::to_string(bytes.size()) + " bytes, no IDX header");
  if (bytes[0] != 0 || bytes[1] != 0) throw fail("not an IDX file (bad magic number)");
  if (bytes[2] != 0x08)
    throw fail("unsupported IDX element type 0x" + std::to_string(bytes[2]) + " (only unsigned bytes, 0x08)");
  const std::size_t dims = bytes[3];
  if (dims == 0 || dims > 4) throw fail("unsupported number of dimensions: " + std::to_string(dims));
  if (bytes.size() < 4 + 4 * dims) throw fail("truncated header");
  std::vector<std::size_t> shape(dims);
  const std::size_t header = 4 + 4 * dims;
  const std::size_t available = bytes.size() - header;
  std::size_t count = 1;
  for (std::size_t d = 0; d < dims; ++d) {
    const unsigned char* p = &bytes[4 + 4 * d];
    shape[d] = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3];
    // No dimension of a real array exceeds its element count, so a larger one is a corrupt header
    // (and checking here keeps the product below from overflowing).
    if (shape[d] > available)
      throw fail("dimension " + std::to_string(d) + " is " + std::to_string(shape[d]) +
                 ", more than the " + std::to_string(available) + " bytes of data");
    count = count > available ? available + 1 : count * shape[d];
  }
  if (bytes.size() < header + count)
    throw fail("truncated: the header promises " + std::to_string(count) + " values, the file has " +
               std::to_string(bytes.size() - header));
  if (bytes.size() > header + count)
    throw fail(std::to_string(bytes.size() - header - count) + " bytes after the data");
  xt::xarray<std::uint8_t> out = xt::xarray<std::uint8_t>::from_shape(shape);
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end(), out.begin());
  return out;
}

}  // namespace cue::data
