// Checkpoints of float32 arrays in cue's file format (<cue/io/archive.hpp>): each array an .npy
// entry through xtensor, so `numpy.load` reads the file and `z["param_000"]` is the array.
#pragma once

#include <bit>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

#include <cue/io/archive.hpp>
#include <cue/state.hpp>

namespace cue::io {

/// What a checkpoint holds: its kind, float32 arrays by name and exact named values (counters,
/// learning rates).
struct checkpoint {
  std::string kind;
  std::map<std::string, xt::xarray<float>> arrays;
  state_dict values;
  std::filesystem::path source{};  ///< the file it was read from, named by errors

  /// The array `name` holding `size` numbers, or an error naming the file and what is wrong.
  [[nodiscard]] const xt::xarray<float>& array(const std::string& name, std::size_t size) const {
    const auto it = arrays.find(name);
    if (it == arrays.end()) throw std::runtime_error("cue: " + source.string() + ": no array '" + name + "'");
    if (it->second.size() != size)
      throw std::runtime_error("cue: " + source.string() + ": array '" + name + "' holds " +
                               std::to_string(it->second.size()) + " numbers, this learner expects " +
                               std::to_string(size));
    return it->second;
  }
  /// The value `key`, or an error naming the file.
  [[nodiscard]] const std::string& value(const std::string& key) const {
    const auto it = values.find(key);
    if (it == values.end()) throw std::runtime_error("cue: " + source.string() + ": no value '" + key + "'");
    return it->second;
  }
};

namespace detail {
// Reads a float32, C-order .npy as numpy and xt::dump_npy write it (format 1.0 to 3.0), strictly:
// xtensor 0.24's own reader has undefined behaviour on some malformed headers (found by fuzzing),
// so a checkpoint's arrays are read here. Throws std::runtime_error with `what` on anything else.
inline xt::xarray<float> read_float32_npy(std::string_view npy) {
  auto fail = [](const std::string& what) { return std::runtime_error(what); };
  if (npy.size() < 10 || npy.substr(0, 6) != std::string_view("\x93NUMPY", 6)) throw fail("no .npy magic");
  const auto byte = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(npy[i])); };
  const std::size_t major = byte(6);
  if (major < 1 || major > 3) throw fail(".npy version " + std::to_string(major) + " is unknown");
  const std::size_t length_size = major == 1 ? 2 : 4;
  if (npy.size() < 8 + length_size) throw fail("truncated .npy header");
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_size; ++i) header_length |= byte(8 + i) << (8 * i);
  const std::size_t data_at = 8 + length_size + header_length;
  if (data_at > npy.size()) throw fail("truncated .npy header");
  std::string header;  // the dict without blanks: {'descr':'<f4','fortran_order':False,'shape':(2,3),}
  for (char ch : npy.substr(8 + length_size, header_length))
    if (ch != ' ' && ch != '\n') header += ch;
  const auto field = [&](std::string_view key) -> std::string_view {
    const auto at = header.find(key);
    if (at == std::string::npos) throw fail("the .npy header has no " + std::string(key));
    return std::string_view(header).substr(at + key.size());
  };
  if (!field("'descr':").starts_with("'<f4'")) throw fail("not a little-endian float32 array");
  if (!field("'fortran_order':").starts_with("False")) throw fail("a Fortran-order array");
  const std::string_view dims = field("'shape':(");
  const auto close = dims.find(')');
  if (close == std::string_view::npos) throw fail("the .npy shape is not closed");
  std::vector<std::size_t> shape;
  std::size_t count = 1;
  for (std::string_view rest = dims.substr(0, close); !rest.empty();) {
    const auto comma = rest.find(',');
    const auto digits = rest.substr(0, comma);
    std::size_t d = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (error != std::errc{} || end != digits.data() + digits.size()) throw fail("the .npy shape is malformed");
    if (d != 0 && count > (npy.size() / 4) / d) throw fail("the .npy shape holds more numbers than the file");
    count *= d;
    shape.push_back(d);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  if (npy.size() - data_at != count * 4)
    throw fail("the .npy data holds " + std::to_string(npy.size() - data_at) + " bytes, its shape needs " +
               std::to_string(count * 4));
  auto array = xt::xarray<float>::from_shape(shape);
  static_assert(std::endian::native == std::endian::little, "cue: .npy reading assumes a little-endian machine");
  std::memcpy(array.data(), npy.data() + data_at, count * 4);
  return array;
}
}  // namespace detail

/// Writes `c` to `path`, atomically.
inline void save_checkpoint(const std::filesystem::path& path, const checkpoint& c) {
  archive a{c.kind, c.values, {}};
  for (const auto& [name, array] : c.arrays) a.entries[name + ".npy"] = xt::dump_npy(array);
  save_archive(path, a);
}

/// Reads the checkpoint at `path`, of kind `kind` when given; errors name the file and the
/// problem (see load_archive), or the entry that is not a float32 array.
inline checkpoint load_checkpoint(const std::filesystem::path& path, std::string_view kind = {}) {
  archive a = load_archive(path, kind);
  checkpoint c{std::move(a.kind), {}, std::move(a.values), path};
  for (const auto& [name, bytes] : a.entries) {
    if (!name.ends_with(".npy")) throw std::runtime_error("cue: " + path.string() + ": entry '" + name + "' is not an .npy array");
    try {
      c.arrays.emplace(name.substr(0, name.size() - 4), detail::read_float32_npy(bytes));
    } catch (const std::exception& e) {
      throw std::runtime_error("cue: " + path.string() + ": entry '" + name + "' is not a float32 array (" + e.what() + ")");
    }
  }
  return c;
}

}  // namespace cue::io
