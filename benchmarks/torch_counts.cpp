// Instructions of libtorch training (examples/torch_net.hpp's network, Adam, batch 32; 2,880
// random images and 320 for validation, so it runs quickly under callgrind), through cue::fit and
// cue::torch::learner with the example's callbacks (`fit`) or none (`bare`), or through the loop a
// libtorch user writes by hand (`hand`). run_all.py takes the slope per epoch, which leaves out
// libtorch's start-up and the first epoch's allocations.
// Usage: torch_counts fit|bare|hand EPOCHS
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <cue/cue.hpp>
#include <cue/torch/learner.hpp>

#include "../examples/torch_net.hpp"
#include "torch_by_hand.hpp"

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "fit" && mode != "bare" && mode != "hand") {
    std::fprintf(stderr, "usage: %s fit|bare|hand EPOCHS\n", argv[0]);
    return 2;
  }
  torch::set_num_threads(1);
  const auto generator = at::detail::createCPUGenerator(1);
  const auto batches = [&](int n) {
    std::vector<cue::torch::batch> out;
    for (int i = 0; i < n; ++i)
      out.push_back({torch::rand({32, 784}, generator), torch::randint(0, 10, {32}, generator, torch::kLong)});
    return out;
  };
  const auto train = batches(90), validation = batches(10);
  torch::manual_seed(42);
  Net net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
  const int epochs = std::atoi(argv[2]);
  double check = 0;
  if (mode == "bare") {
    cue::torch::learner model(net, std::move(adam), torch::nn::CrossEntropyLoss(), cue::torch::accuracy{});
    check = cue::fit(model, train, validation, {.epochs = epochs, .verbose = 0})["loss"].back();
  } else if (mode == "fit") {
    cue::torch::learner model(net, std::move(adam), torch::nn::CrossEntropyLoss(), cue::torch::accuracy{});
    const auto dir = std::filesystem::temp_directory_path() / "cue-torch-counts";
    std::ostringstream progress, csv;
    const auto h = cue::fit(
        model, train, validation, {.epochs = epochs}, cue::stop_on_signal{}, cue::progbar_logger(progress),
        cue::early_stopping<"val_loss">({.patience = 3, .restore_best_weights = true}),
        cue::model_checkpoint<"val_accuracy">(
            {.filepath = (dir / "best.pt").string(), .save_best_only = true, .save_weights_only = true}),
        cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 2}), cue::csv_logger(csv));
    check = h["loss"].back();
    std::filesystem::remove_all(dir);
  } else {
    torch::nn::CrossEntropyLoss loss_fn;
    for (int e = 0; e < epochs; ++e) check = hand_written_epoch(net, adam, loss_fn, train, validation);
  }
  std::printf("%s %d %g\n", mode.c_str(), epochs, check);
}
