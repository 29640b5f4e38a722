// A libtorch data loader whose batches are not stacked (a std::vector of examples) given to fit.
// expect: cue: torch::from_loader needs a loader of stacked batches
// max-lines: 20
#include <vector>

#include <cue/torch/data_loader.hpp>

struct points : torch::data::datasets::Dataset<points> {
  torch::data::Example<> get(std::size_t i) override {
    return {torch::full({2}, static_cast<double>(i)), torch::tensor(static_cast<std::int64_t>(i % 2))};
  }
  torch::optional<std::size_t> size() const override { return 8; }
};

int main() {
#ifdef CUE_MISTAKE
  auto loader = torch::data::make_data_loader(points(), torch::data::DataLoaderOptions(4));
#else
  auto loader = torch::data::make_data_loader(points().map(torch::data::transforms::Stack<>()),
                                              torch::data::DataLoaderOptions(4));
#endif
  cue::torch::from_loader batches(*loader);
  std::size_t n = 0;
  for (const auto& b : batches) n += b.size();
  return n == 8 ? 0 : 1;
}
