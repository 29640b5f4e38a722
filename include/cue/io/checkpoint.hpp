// Checkpoints of float32 arrays in cue's file format (<cue/io/archive.hpp>): each array an .npy
// entry through xtensor, so `numpy.load` reads the file and `z["param_000"]` is the array.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

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

/// Writes `c` to `path` (not atomically; model_checkpoint and backup_and_restore make it so).
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
    std::istringstream npy(bytes);
    try {
      c.arrays.emplace(name.substr(0, name.size() - 4), xt::load_npy<float>(npy));
    } catch (const std::exception& e) {
      throw std::runtime_error("cue: " + path.string() + ": entry '" + name + "' is not a float32 array (" + e.what() + ")");
    }
  }
  return c;
}

}  // namespace cue::io
