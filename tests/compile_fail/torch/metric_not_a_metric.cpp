// Something that is not a metric given to torch::learner: one error, naming it.
// expect: cue: torch::learner was given a metric that is none
// expect-named: is_a_metric<mean_output>
// max-lines: 20
#include <cue/fit.hpp>
#include <cue/torch/learner.hpp>

struct mean_output {  // no name: which log would it fill?
#ifndef CUE_MISTAKE
  static constexpr cue::fixed_string name = "mean_output";
#endif
  double operator()(const torch::Tensor& output, const torch::Tensor&) const { return output.mean().item<double>(); }
};

int main() {
  torch::nn::Linear model(2, 2);
  cue::torch::learner learner(model, torch::optim::SGD(model->parameters(), 0.1), torch::nn::CrossEntropyLoss(),
                              mean_output{});
  std::vector<cue::torch::batch> data{{torch::zeros({4, 2}), torch::zeros({4}, torch::kLong)}};
  cue::fit(learner, data, {.epochs = 1, .verbose = 0});
}
