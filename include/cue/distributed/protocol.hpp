// What the loops do on several ranks (cue::data_parallel): sums of every rank's samples, one
// stop decision for all ranks with the lowest asking rank's reason, the check that the ranks have
// the same number of batches, and ending the whole job when one rank throws. For a learner that
// is not distributed, each is nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <cue/distributed/communicator.hpp>
#include <cue/context.hpp>
#include <cue/stop_reason.hpp>

namespace cue::detail {

// In a distributed fit (cue::data_parallel), sums are of every rank's samples, and a stop asked
// for on any rank stops all of them after the same batch, with the reason and words of the lowest
// rank that asked. Elsewhere these are nothing.
template <class Learner, std::size_t N>
void reduce_over_ranks(Learner& learner, std::array<double, N>& sums) {
  if constexpr (distributed_learner<Learner>) learner.communicator().allreduce_sum(std::span<double>(sums));
}
template <class Comm>
[[gnu::noinline]] void agree_on_stop_reason(Comm& comm, run_state& state) {
  std::vector<double> asked(static_cast<std::size_t>(comm.size()), 0.0);
  asked[static_cast<std::size_t>(comm.rank())] = state.stop ? 1.0 : 0.0;
  comm.allreduce_sum(std::span<double>(asked));
  int root = 0;
  while (root + 1 < comm.size() && asked[static_cast<std::size_t>(root)] == 0.0) ++root;  // the lowest that asked
  std::uint64_t head[2] = {static_cast<std::uint64_t>(state.stop_reason), state.stop_message.size()};
  comm.broadcast(std::as_writable_bytes(std::span<std::uint64_t>(head)), root);
  state.stop_message.resize(head[1]);
  comm.broadcast(std::as_writable_bytes(std::span<char>(state.stop_message)), root);
  state.stop = true;
  state.stop_reason = static_cast<cue::stop_reason>(head[0]);
}
// An exception on one rank would leave the others waiting in their next collective forever (and
// its MPI_Finalize with them): a communicator that can abort the job (MPI's) does, after saying
// why on standard error. One without (cue::single_process) lets the exception go on.
template <class Comm>
void abort_job(Comm& comm, std::exception_ptr error) {
  if constexpr (requires { comm.abort(1); }) {
    std::string what = "an exception not derived from std::exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "cue: rank %d: %s; aborting the job, whose other ranks would wait for this one forever\n",
                 comm.rank(), what.c_str());
    std::fflush(stderr);
    comm.abort(1);
  }
}

// The ranks' batch counts of a loop that has no per-batch collective (validation) or has ended
// (a standalone evaluation): each rank's count at its own place, summed, then compared. Different
// counts stop every rank with an error naming them (no collective mismatch, no rank-local result).
template <class Comm>
[[gnu::noinline]] void check_same_batches(Comm& comm, std::size_t mine, std::size_t at_least, const char* what) {
  const auto counts = detail::gathered_counts(comm, at_least > 0 ? -static_cast<double>(at_least) : static_cast<double>(mine));
  bool same = true;
  for (double c : counts) same = same && c == counts[0] && c >= 0;
  if (same) return;
  const std::string each = detail::counts_text(counts);
  throw std::runtime_error(std::string("cue: the ranks have different numbers of ") + what + " batches (" + each +
                           "); give every rank the same number: cue::data::batches with .rank and .ranks deals each "
                           "rank its part of every global batch, and libtorch's DistributedSequentialSampler pads "
                           "the ranks' shares to one length");
}

// After each batch of a standalone evaluation on several ranks: one sum of [a stop was asked, a
// batch was had], the stop decision and the check that every rank still has data; a rank whose
// data ended sends [0, 0] (batches_over). Different counts stop every rank with an error.
template <class Comm>
[[gnu::noinline]] bool agree_after_batch(Comm& comm, run_state& state, bool had_batch) {
  double head[2] = {state.stop ? 1.0 : 0.0, had_batch ? 1.0 : 0.0};
  comm.allreduce_sum(std::span<double>(head));
  if (head[1] != (had_batch ? comm.size() : 0))
    check_same_batches(comm, state.batch, had_batch ? state.batch : 0, "evaluation");
  if (head[0] == 0) return false;
  agree_on_stop_reason(comm, state);
  return true;
}

template <class Learner>
bool stop_now(Learner& learner, run_state& state) {
  if constexpr (distributed_learner<Learner>) {
    if (!learner.communicator().any(state.stop)) return false;
    agree_on_stop_reason(learner.communicator(), state);
    return true;
  } else {
    return state.stop;
  }
}

}  // namespace cue::detail
