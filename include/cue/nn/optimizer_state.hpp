// What cue's optimizers share when they restore their state from a checkpoint.
#pragma once

#include <stdexcept>
#include <string>

#include <cue/io/checkpoint.hpp>

namespace cue::nn {

/// Refuses a checkpoint written with another optimizer, naming both.
inline void check_optimizer(const io::checkpoint& c, const std::string& mine) {
  const auto& saved = c.value("optimizer");
  if (saved != mine)
    throw std::runtime_error("cue: " + c.source.string() + ": saved with the optimizer " + saved +
                             ", this learner uses " + mine);
}

}  // namespace cue::nn
