// What data-parallel training needs from the processes it runs on: who this one is, sums over
// all of them, one decision for all, and a broadcast. cue::single_process is the one-process
// case (every distributed part is tested with it without MPI); cue::mpi::communicator
// (<cue/mpi/communicator.hpp>, target cue::mpi) is MPI's.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace cue {

/// A group of processes (ranks) that take part in the same collectives, in the same order.
/// `allreduce_sum` replaces each element by its sum over all ranks; `any`/`all` return the same
/// decision on every rank; `broadcast` copies `root`'s bytes to every rank; `barrier` waits for
/// all. Every rank must make the same calls in the same order, or the job hangs.
template <class C>
concept communicator = requires(C& c, const C& cc, std::span<double> d, std::span<float> f,
                                std::span<std::byte> bytes, bool b, int root) {
  { cc.rank() } -> std::convertible_to<int>;
  { cc.size() } -> std::convertible_to<int>;
  c.allreduce_sum(d);
  c.allreduce_sum(f);
  { c.any(b) } -> std::same_as<bool>;
  { c.all(b) } -> std::same_as<bool>;
  c.broadcast(bytes, root);
  c.barrier();
};

/// One process: every collective is the identity.
struct single_process {
  [[nodiscard]] constexpr int rank() const noexcept { return 0; }
  [[nodiscard]] constexpr int size() const noexcept { return 1; }
  constexpr void allreduce_sum(std::span<double>) noexcept {}
  constexpr void allreduce_sum(std::span<float>) noexcept {}
  [[nodiscard]] constexpr bool any(bool b) noexcept { return b; }
  [[nodiscard]] constexpr bool all(bool b) noexcept { return b; }
  constexpr void broadcast(std::span<std::byte>, int) noexcept {}
  constexpr void barrier() noexcept {}
};

static_assert(communicator<single_process>);

}  // namespace cue

namespace cue {

/// A learner that trains on several ranks (cue::data_parallel): the loops reduce its epoch logs
/// over the ranks and make every stop decision together.
template <class L>
concept distributed_learner = requires(L& l) {
  requires communicator<std::remove_cvref_t<decltype(l.communicator())>>;
  l.synchronize();
};

namespace detail {
// Each rank's count of batches, gathered by one sum: a rank knows its own count (`mine` >= 0) or,
// when it still had data, that the count is at least -`mine`. Said as "rank 0: 8, rank 1: at
// least 6" in the errors of uneven data.
template <class Comm>
std::vector<double> gathered_counts(Comm& comm, double mine) {
  std::vector<double> counts(static_cast<std::size_t>(comm.size()), 0.0);
  counts[static_cast<std::size_t>(comm.rank())] = mine;
  comm.allreduce_sum(std::span<double>(counts));
  return counts;
}
inline std::string counts_text(const std::vector<double>& counts) {
  std::string each;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    each += (r == 0 ? "rank " : ", rank ") + std::to_string(r) + ": ";
    each += counts[r] >= 0 ? std::to_string(static_cast<long long>(counts[r]))
                           : "at least " + std::to_string(static_cast<long long>(-counts[r]));
  }
  return each;
}
}  // namespace detail

}  // namespace cue
