// What the libtorch tests compare: two modules' parameters, exactly.
#pragma once

#include <cstddef>

#include <torch/torch.h>

namespace cue_test {

/// Whether `a` and `b` have the same parameters, bit for bit.
inline bool same_weights(torch::nn::Module& a, torch::nn::Module& b) {
  const auto pa = a.parameters(), pb = b.parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (!torch::equal(pa[i], pb[i])) return false;
  return true;
}

}  // namespace cue_test
