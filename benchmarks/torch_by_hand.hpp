// The epoch a libtorch user writes by hand, which benchmarks/torch_epoch.cpp and torch_counts.cpp
// put beside cue::fit: train mode, zero_grad, forward, loss, backward, step, the running means;
// then validation in eval mode without autograd.
#pragma once

#include <vector>

#include <torch/torch.h>

#include <cue/torch/learner.hpp>

/// One epoch; returns the sum of its four means (loss, accuracy, and theirs on validation), so
/// that the work cannot be optimised away.
template <class Module, class Optimizer>
double hand_written_epoch(Module& net, Optimizer& optimizer, torch::nn::CrossEntropyLoss& loss_fn,
                          const std::vector<cue::torch::batch>& train, const std::vector<cue::torch::batch>& validation) {
  net->train();
  double loss = 0, correct = 0, n = 0;
  for (const auto& b : train) {
    optimizer.zero_grad();
    const torch::Tensor out = net->forward(b.x);
    const auto l = loss_fn(out, b.y);
    l.backward();
    optimizer.step();
    const auto w = static_cast<double>(b.x.size(0));
    loss += l.item<double>() * w, n += w;
    correct += out.argmax(1).eq(b.y).sum().item<double>();
  }
  net->eval();
  const torch::NoGradGuard no_grad;
  double vloss = 0, vcorrect = 0, vn = 0;
  for (const auto& b : validation) {
    const torch::Tensor out = net->forward(b.x);
    const auto w = static_cast<double>(b.x.size(0));
    vloss += loss_fn(out, b.y).item<double>() * w, vn += w;
    vcorrect += out.argmax(1).eq(b.y).sum().item<double>();
  }
  return loss / n + correct / n + vloss / vn + vcorrect / vn;
}
