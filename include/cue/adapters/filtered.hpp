// cue::filtered: the base of the adapters: forwards each event to one callback when a filter
// lets it through.
#pragma once

#include <type_traits>
#include <utility>

#include <cue/callbacks.hpp>
#include <cue/events.hpp>

namespace cue {

/// Wraps callback `C` (held like a member of cue::callbacks: by reference for an lvalue) and
/// delivers an event to it when `filter.pass(event, ctx)` is true. It hears exactly the events `C`
/// handles, so the adapter costs nothing on the others.
template <class Filter, class C>
class filtered : public detail::forward_events<filtered<Filter, C>> {
 public:
  using inner_type = std::remove_cvref_t<C>;

  template <class A>
  constexpr filtered(Filter filter, A&& inner)
      : filter_(std::move(filter)), inner_(std::forward<A>(inner)) {}

  /// The wrapped callback takes part in `Event`, so the adapter has that hook.
  template <class Event, class Ctx>
  static constexpr bool takes = takes_event<Event, C, Ctx>;

  [[nodiscard]] constexpr auto& inner() noexcept { return inner_.get(); }
  [[nodiscard]] constexpr const Filter& filter() const noexcept { return filter_; }

 private:
  friend detail::forward_events<filtered>;

  // A hook's event when the filter lets it through; a typed event always (it says what happened,
  // not when to act), unless the filter says it filters every event (cue::on_rank_zero).
  template <class Event, class Ctx>
  constexpr void deliver(const Event& e, Ctx& ctx) {
    if constexpr (hook_event<Event> || requires { Filter::filters_every_event; }) {
      if (filter_.pass(e, ctx)) cue::emit(e, inner_.get(), ctx);
    } else {
      cue::emit(e, inner_.get(), ctx);
    }
  }

  Filter filter_;
  detail::slot<C> inner_;
};

namespace detail {
template <class Filter, class C>
struct is_group<filtered<Filter, C>> : std::true_type {};
}  // namespace detail

}  // namespace cue
