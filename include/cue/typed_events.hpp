// Typed events: what callbacks tell each other (a checkpoint was written, the learning rate
// changed) without knowing each other. An event is any plain struct; a sender declares
// `using emits = cue::emits<E>;` and calls `ctx.emit(e)`, a listener declares
// `using listens = cue::listens<E>;` and has `void on(const E& e, auto& ctx)`.
#pragma once

#include <type_traits>

#include <cue/fixed_string.hpp>

namespace cue {

/// The events a callback sends with `ctx.emit(e)`.
template <class... Events>
struct emits {};

/// An event a listener can do without: no error when no callback of the fit emits it.
template <class Event>
struct optional {};

/// The events a callback hears through `on(const E&, ctx)`; `cue::optional<E>` for one that may
/// never come.
template <class... Events>
struct listens {};

/// A Keras hook's event (`cue::event::epoch_end`, ...), as opposed to a typed event.
template <class Event>
concept hook_event = requires { Event::hook; };

/// C hears typed event `E` with this context: it has `on(const E&, ctx)`.
template <class C, class E, class Ctx>
concept listens_to = requires(C& c, const E& e, Ctx& ctx) { c.on(e, ctx); };

namespace detail {

template <class List, class E>
inline constexpr bool in_emits = false;
template <class... Es, class E>
inline constexpr bool in_emits<emits<Es...>, E> = (std::is_same_v<Es, E> || ...);

/// C declares that it emits E.
template <class C, class E>
inline constexpr bool declares_emit = [] {
  if constexpr (requires { typename C::emits; })
    return in_emits<typename C::emits, E>;
  else
    return false;
}();

template <class E>
struct required_event {
  using type = E;
  static constexpr bool required = true;
};
template <class E>
struct required_event<optional<E>> {
  using type = E;
  static constexpr bool required = false;
};

// Applies Check<E>::value to each event C listens to without cue::optional; true when all pass.
template <template <class> class Check, class List>
inline constexpr bool every_required = true;
template <template <class> class Check, class... Es>
inline constexpr bool every_required<Check, listens<Es...>> =
    ((!required_event<Es>::required || Check<typename required_event<Es>::type>::value) && ...);

template <class C>
struct listened {
  using type = listens<>;
};
template <class C>
  requires requires { typename C::listens; }
struct listened<C> {
  using type = typename C::listens;
};

}  // namespace detail

namespace detail {
// Instantiated only for a callback that emits an event it does not declare.
template <class Sender, class Event>
consteval void report_undeclared_emit() {
  static_assert(holds<sizeof(Sender) == 0>,
                "cue: the callback type 'Sender' emits the event 'Event' without declaring it; add "
                "`using emits = cue::emits<Event>;` to it (listeners are checked against what the "
                "callbacks of a fit declare)");
}
}  // namespace detail

}  // namespace cue
