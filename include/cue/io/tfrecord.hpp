// TFRecord framing, as TensorBoard reads event files: each record is its length (uint64, little
// endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace cue::io {

namespace detail {
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one table lookup per byte.
constexpr std::array<std::uint32_t, 256> crc32c_table = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}();
}  // namespace detail

/// CRC-32C of `bytes` ("123456789" gives 0xE3069283).
[[nodiscard]] constexpr std::uint32_t crc32c(std::string_view bytes) noexcept {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = detail::crc32c_table[(c ^ b) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

/// TFRecord's (and LevelDB's) masked CRC: rotated right by 15 bits, plus a constant.
[[nodiscard]] constexpr std::uint32_t masked_crc32c(std::string_view bytes) noexcept {
  const std::uint32_t c = crc32c(bytes);
  return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

namespace detail {
template <class Int>
void append_le(std::string& out, Int v) {
  for (std::size_t i = 0; i < sizeof(Int); ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
}
}  // namespace detail

/// Appends `data` to `out` as one TFRecord.
inline void append_tfrecord(std::string& out, std::string_view data) {
  std::string length;
  detail::append_le(length, static_cast<std::uint64_t>(data.size()));
  out += length;
  detail::append_le(out, masked_crc32c(length));
  out += data;
  detail::append_le(out, masked_crc32c(data));
}

}  // namespace cue::io
