// What cue's optimizers share when they save their state to a checkpoint and restore it: the
// optimizer's name, its step count (exact) and its per-parameter buffers (moments, momenta).
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>

#include <cue/io/checkpoint.hpp>
#include <cue/state.hpp>

namespace cue::nn {

/// Refuses a checkpoint written with another optimizer, naming both.
inline void check_optimizer(const io::checkpoint& c, const std::string& mine) {
  const auto& saved = c.value("optimizer");
  if (saved != mine)
    throw std::runtime_error("cue: " + c.source.string() + ": saved with the optimizer " + saved +
                             ", this learner uses " + mine);
}

/// Adds `optimizer`'s name, step count and buffers (as `<optimizer>.<buffer>.<i>`) to `c`.
inline void save_optimizer(io::checkpoint& c, const std::string& optimizer, std::size_t iterations,
                           const std::vector<std::pair<std::string, const std::vector<std::vector<float>>*>>& buffers) {
  c.values["optimizer"] = optimizer;
  c.values[optimizer + ".iterations"] = std::to_string(iterations);
  for (const auto& [name, arrays] : buffers)
    for (std::size_t i = 0; i < arrays->size(); ++i)
      c.arrays[optimizer + "." + name + "." + std::to_string(i)] = xt::adapt((*arrays)[i], {(*arrays)[i].size()});
}

/// The step count `optimizer` saved in `c`, after checking `c` was saved by it.
inline std::size_t load_iterations(const io::checkpoint& c, const std::string& optimizer) {
  check_optimizer(c, optimizer);
  return state::to_count(c.value(optimizer + ".iterations"));
}

/// The buffer `<optimizer>.<name>.<i>` of `c` for each parameter, each of its parameter's size;
/// none when `c` has none and they are not `required`.
inline std::vector<std::vector<float>> load_buffers(const io::checkpoint& c, const std::string& optimizer,
                                                    const std::string& name,
                                                    const std::vector<std::span<float>>& params, bool required) {
  std::vector<std::vector<float>> out;
  const std::string prefix = optimizer + "." + name + ".";
  if (!required && !c.arrays.contains(prefix + "0")) return out;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& a = c.array(prefix + std::to_string(i), params[i].size());
    out.emplace_back(a.begin(), a.end());
  }
  return out;
}

}  // namespace cue::nn
