// What examples/torch_fashion_mnist.cpp and benchmarks/torch_epoch.cpp share: the Fashion-MNIST
// network as a libtorch module, written as libtorch users write theirs, cue's batches as tensors,
// and the weights' digest.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <torch/torch.h>

#include <cue/data/dataset.hpp>
#include <cue/torch/learner.hpp>

struct NetImpl : torch::nn::Module {
  NetImpl()
      : hidden(register_module("hidden", torch::nn::Linear(784, 128))),
        output(register_module("output", torch::nn::Linear(128, 10))) {}
  torch::Tensor forward(const torch::Tensor& x) { return output(torch::relu(hidden(x))); }
  torch::nn::Linear hidden, output;
};
TORCH_MODULE(Net);

/// A batch of cue::data (xtensor) as tensors: the images copied, the labels as int64 (what
/// torch's losses take).
inline cue::torch::batch to_torch(const cue::data::batch& b) {
  const auto n = static_cast<std::int64_t>(b.size()), d = static_cast<std::int64_t>(b.x.shape()[1]);
  return {torch::from_blob(const_cast<float*>(b.x.data()), {n, d}, torch::kFloat).clone(),
          torch::from_blob(const_cast<std::int32_t*>(b.y.data()), {n}, torch::kInt).to(torch::kLong)};
}

// FNV-1a over the bytes of every weight, as fashion_mnist's digest.
inline std::string weights_digest(torch::nn::Module& module) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto& p : module.parameters()) {
    const auto* bytes = static_cast<const unsigned char*>(p.data_ptr());
    for (std::size_t i = 0; i < p.nbytes(); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}
