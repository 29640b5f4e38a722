// The Fashion-MNIST network as a libtorch module, as libtorch users write theirs: shared by
// examples/torch_fashion_mnist.cpp and benchmarks/torch_epoch.cpp.
#pragma once

#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  NetImpl()
      : hidden(register_module("hidden", torch::nn::Linear(784, 128))),
        output(register_module("output", torch::nn::Linear(128, 10))) {}
  torch::Tensor forward(const torch::Tensor& x) { return output(torch::relu(hidden(x))); }
  torch::nn::Linear hidden, output;
};
TORCH_MODULE(Net);
