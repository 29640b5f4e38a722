// cue::every_n_batches<N>(cb): a callback's batch hooks on every N-th batch only.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <cue/adapters/filtered.hpp>
#include <cue/events.hpp>

namespace cue {

namespace detail {
template <std::size_t N>
struct every_n_batches_filter {
  static_assert(N > 0, "cue: every_n_batches<N> needs N > 0");
  template <class Event, class Ctx>
  static constexpr bool pass(Event, const Ctx& ctx) noexcept {
    if constexpr (Event::phase == phase::train_batch)
      return (ctx.step() + 1) % N == 0;  // counted across epochs
    else if constexpr (Event::phase == phase::test_batch || Event::phase == phase::predict_batch)
      return (ctx.batch() + 1) % N == 0;
    else
      return true;
  }
};
}  // namespace detail

/// `cb` hears the batch events of every N-th batch only (training batches counted across epochs,
/// evaluation and prediction batches within their loop); every other event as usual. The test is a
/// modulo by a constant on the loop's own counter: no state, nothing on events `cb` ignores.
template <std::size_t N, class C>
[[nodiscard]] constexpr auto every_n_batches(C&& cb) {
  return filtered<detail::every_n_batches_filter<N>, C>({}, std::forward<C>(cb));
}

}  // namespace cue
