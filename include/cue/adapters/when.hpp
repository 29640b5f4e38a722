// cue::when(predicate, cb): a callback that hears events only while a predicate holds.
#pragma once

#include <utility>

#include <cue/adapters/filtered.hpp>

namespace cue {

namespace detail {
template <class Predicate>
struct when_filter {
  Predicate predicate;
  template <class Event, class Ctx>
  constexpr bool pass(Event, const Ctx& ctx) {
    return static_cast<bool>(predicate(ctx));
  }
};
}  // namespace detail

/// `cb` hears an event only when `predicate(ctx)` is true for it, e.g.
/// `cue::when([](auto& ctx) { return ctx.epoch() >= 5; }, checkpoint)`.
template <class Predicate, class C>
[[nodiscard]] constexpr auto when(Predicate predicate, C&& cb) {
  return filtered<detail::when_filter<Predicate>, C>({std::move(predicate)}, std::forward<C>(cb));
}

}  // namespace cue
