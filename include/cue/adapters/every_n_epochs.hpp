// cue::every_n_epochs<N>(cb): a callback's epoch hooks on every N-th epoch only.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <cue/adapters/filtered.hpp>
#include <cue/events.hpp>

namespace cue {

namespace detail {
template <std::size_t N>
struct every_n_epochs_filter {
  static_assert(N > 0, "cue: every_n_epochs<N> needs N > 0");
  template <class Event, class Ctx>
  static constexpr bool pass(Event, const Ctx& ctx) noexcept {
    if constexpr (std::is_same_v<Event, event::epoch_begin> ||
                  std::is_same_v<Event, event::epoch_end>)
      return (static_cast<std::size_t>(ctx.epoch()) + 1) % N == 0;
    else
      return true;
  }
};
}  // namespace detail

/// `cb` hears on_epoch_begin and on_epoch_end of every N-th epoch only (epochs 1-based: N - 1,
/// 2N - 1, ... as 0-based indices); every other event as usual.
template <std::size_t N, class C>
[[nodiscard]] constexpr auto every_n_epochs(C&& cb) {
  return filtered<detail::every_n_epochs_filter<N>, C>({}, std::forward<C>(cb));
}

}  // namespace cue
