// The parts of one data-parallel training step of the Fashion-MNIST network (784-128-10, Adam),
// run under `mpirun -np 2`: what keeps 2 ranks from twice one process's speed, measured. Each
// part is timed alone, between barriers (so one rank's wait for the other is not in it), as the
// median over many steps:
//   - the forward and backward pass on the rank's part of the global batch, and on the whole
//     batch (what one process computes);
//   - cue::data_parallel's forward_backward on the part: the pass plus the sum of the gradients
//     over the ranks (its difference with the pass alone is what the sum costs);
//   - the Adam update, which every rank makes on all 101,770 parameters.
// Prints one line of key=value pairs on rank 0. Random images: the arithmetic does not depend on
// the values.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <cue/distributed/data_parallel.hpp>
#include <cue/mpi/communicator.hpp>
#include <cue/nn.hpp>

#include "fashion_setup.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  cue::mpi::communicator world(&argc, &argv);
  const std::size_t global = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 300;
  cue::nn::set_threads(1);
  const auto rank = static_cast<std::size_t>(world.rank()), ranks = static_cast<std::size_t>(world.size());

  const auto data = cue_bench::random_fashion_images(global * 8);
  cue::data::batches whole(data, {.batch_size = global, .shuffle = false});
  cue::data::batches parts(data, {.batch_size = global, .shuffle = false, .rank = rank, .ranks = ranks});
  const std::vector<cue::data::batch> whole_batches(whole.begin(), whole.end());
  const std::vector<cue::data::batch> my_parts(parts.begin(), parts.end());

  auto model = cue_bench::fashion_network();
  cue::data_parallel parallel(model, world);
  std::vector<double> pass_part, pass_whole, with_sum, adam;
  const auto timed = [&](std::vector<double>& into, auto&& work) {
    world.barrier();
    const auto start = clock_type::now();
    work();
    into.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
  };
  for (int s = -20; s < steps; ++s) {  // 20 steps to warm up
    const auto& part = my_parts[static_cast<std::size_t>(s + 20) % my_parts.size()];
    const auto& batch = whole_batches[static_cast<std::size_t>(s + 20) % whole_batches.size()];
    timed(pass_whole, [&] { (void)model.forward_backward(batch); });
    timed(pass_part, [&] { (void)model.forward_backward(part); });
    timed(with_sum, [&] { (void)parallel.forward_backward(part); });
    timed(adam, [&] { parallel.apply_gradients(); });
    if (s < 0) pass_whole.clear(), pass_part.clear(), with_sum.clear(), adam.clear();
  }
  if (rank == 0)
    std::printf("ranks=%zu global_batch=%zu part=%zu forward_backward_whole_us=%.1f forward_backward_part_us=%.1f "
                "with_sum_us=%.1f sum_us=%.1f adam_us=%.1f\n",
                ranks, global, my_parts.front().size(), median(pass_whole), median(pass_part), median(with_sum),
                median(with_sum) - median(pass_part), median(adam));
  return 0;
}
