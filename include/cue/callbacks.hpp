// cue::callbacks: callbacks composed at compile time, and cue::emit, which delivers one event.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include <cue/context.hpp>
#include <cue/events.hpp>
#include <cue/near_misses.hpp>
#include <cue/parts.hpp>
#include <cue/typed_events.hpp>

namespace cue {

template <class... Cs>
class callbacks;

namespace detail {
template <class C>
struct is_group : std::false_type {};
template <class... Cs>
struct is_group<callbacks<Cs...>> : std::true_type {};
}  // namespace detail

namespace detail {
// Whether a forwarding type takes an event; a separate template so that the lookup into Derived
// waits until Derived is complete (clang 14 looks up eagerly otherwise).
template <class Derived, class Event, class Ctx>
inline constexpr bool forwards = Derived::template takes<Event, Ctx>;

// The hooks of a type that forwards events (a group, an adapter), and `on` for typed
// events: each is present when `Derived::takes<Event, Ctx>` and calls `Derived::deliver(event,
// ctx)`. Derived befriends it.
template <class Derived>
class forward_events {
 public:
#define CUE_FORWARD_HOOK(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) \
  template <class Ctx>                                             \
    requires(forwards<Derived, event::NAME, Ctx>)                  \
  constexpr void on_##NAME(Ctx& ctx) {                             \
    self().deliver(event::NAME{}, ctx);                            \
  }
  CUE_HOOK_TABLE(CUE_FORWARD_HOOK)
#undef CUE_FORWARD_HOOK
  template <class Event, class Ctx>
    requires(!hook_event<Event> && forwards<Derived, Event, Ctx>)
  constexpr void on(const Event& e, Ctx& ctx) { self().deliver(e, ctx); }

 private:
  constexpr Derived& self() noexcept { return static_cast<Derived&>(*this); }
};
}  // namespace detail

/// A type that forwards every event to callbacks it holds (`cue::callbacks`, `cue::dynamic_callbacks`).
/// Specialize `cue::detail::is_group` to make another forwarding type one.
template <class C>
concept callback_group = detail::is_group<std::remove_cvref_t<C>>::value;

namespace detail {
// The context callback C's own hooks get: within a loop, one that knows C as the sender of what it
// emits; a group's is passed on unchanged.
template <class C, class Ctx>
struct context_for {
  using type = Ctx;
};
template <class C, class L, class Logs, class Root, class Sender>
  requires(!callback_group<C> && !std::is_void_v<Root>)
struct context_for<C, context<L, Logs, Root, Sender>> {
  using type = context<L, Logs, Root, std::remove_cvref_t<C>>;
};
template <class C, class Ctx>
using context_for_t = typename context_for<std::remove_cvref_t<C>, Ctx>::type;

template <class C, class Ctx>
constexpr context_for_t<C, Ctx> as_seen_by(Ctx& ctx) noexcept {
  if constexpr (std::is_same_v<context_for_t<C, Ctx>, Ctx>)
    return ctx;
  else
    return ctx.template sent_by<std::remove_cvref_t<C>>();
}

template <class Event, class C, class Ctx>
consteval bool takes() {
  using T = std::remove_reference_t<C>;
  if constexpr (hook_event<Event>)
    return Event::template handled<T, context_for_t<C, Ctx>> ||
           (!callback_group<C> && Event::template declared<std::remove_cvref_t<C>>);
  else
    return listens_to<T, Event, context_for_t<C, Ctx>>;
}
}  // namespace detail

/// C takes part in `Event` with this context: for a hook's event, it handles it, or it declares the
/// hook (so a hook that cannot be called is reported rather than silently skipped, unlike
/// ensmallen's detection); for a typed event, it listens to it.
template <class Event, class C, class Ctx>
concept takes_event = detail::takes<Event, C, Ctx>();

/// Delivers an event to one callback (a group passes it to its members). A hook's event: calls the
/// hook if it has one, does nothing if it has none (so an unhandled event compiles to nothing), and
/// is a compile error when the callback declares the hook with a form that cannot take the
/// context. A typed event: calls `c.on(event, ctx)` if it listens, does nothing otherwise.
template <class Event, class C, class Ctx>
constexpr void emit(const Event& event, C& c, Ctx& ctx) {
  using T = std::remove_cvref_t<C>;
  using Own = detail::context_for_t<C, Ctx>;
  if constexpr (hook_event<Event>) {
    if constexpr (Event::template handled<C, Own>) {
      Own own = detail::as_seen_by<C>(ctx);
      Event::call(c, own);
    } else if constexpr (!callback_group<T> && Event::template declared<T>) {
      Event::template report_not_callable<T, Own>();
    }
  } else if constexpr (listens_to<C, Event, Own>) {
    Own own = detail::as_seen_by<C>(ctx);
    c.on(event, own);
  }
}

namespace detail {
// Holds a callback by value, or points to one the caller keeps (so it can read its state after).
template <class C>
struct slot {
  C value;
  template <class A>
    requires std::constructible_from<C, A>
  constexpr explicit slot(A&& a) : value(std::forward<A>(a)) {}
  constexpr slot() = default;
  constexpr C& get() noexcept { return value; }
};
template <class C>
struct slot<C&> {
  C* ptr;
  constexpr explicit slot(C& c) noexcept : ptr(&c) {}
  constexpr C& get() const noexcept { return *ptr; }
};

// A listener's `on` that takes the event alone would never hear it (a hook takes the context, and
// so does `on`): named constants, so that a failure names the listener and the event in its note.
template <class C, class Event>
inline constexpr bool on_takes_the_context = !requires(C& c, const Event& e) { c.on(e); };
template <class C, class Event>
consteval bool check_listener_form() {
  static_assert(on_takes_the_context<C, Event>,
                "cue: a listener's `on` takes the event but not the context, so it would never hear it (the "
                "listener and the event: in the note below); write it as `void on(const Event& e, auto& ctx)`");
  return on_takes_the_context<C, Event>;
}
template <class C, class... Es>
consteval bool check_listener_forms(listens<Es...>*) {
  return (check_listener_form<C, typename required_event<Es>::type>() && ...);
}

template <class C, class... Es>
consteval bool listener_forms_ok(listens<Es...>*) {
  return (on_takes_the_context<C, typename required_event<Es>::type> && ...);
}

// A part that check_is_callback reports: no callback, or one with a near miss or a listener deaf
// to its events.
// (A function, not a lambda in the base's template argument: clang 14 crashes reading such a
// lambda back from a precompiled header.)
template <class C>
consteval bool is_ill_formed() {
  if constexpr (!callback<C> || !first_near_miss<C>.empty())
    return true;
  else
    return !listener_forms_ok<C>(static_cast<typename listened<C>::type*>(nullptr));
}
template <class C>
struct ill_formed : std::bool_constant<is_ill_formed<C>()> {};

// A group (cue::callbacks) checks its parts when it is instantiated, where the user wrote it: the
// walk stops there, so that a mistake is one error.
template <class C>
struct checks_its_parts : std::bool_constant<requires { typename C::parts; }> {};

/// C and every part of it are callbacks without a near miss or a deaf listener.
template <class C>
inline constexpr bool well_formed_callback = !some_part<ill_formed, C, checks_its_parts>;

// The check's condition as a named constant: a failure names the type in the note under the error.
template <class C>
inline constexpr bool declares_a_hook = callback<C>;

// One error for the first ill-formed part of C (C itself, or what it wraps or groups).
template <class C>
consteval bool check_is_callback() {
  if constexpr (!well_formed_callback<C>) {
    using Part = first_part<ill_formed, C, checks_its_parts>;
    static_assert(declares_a_hook<Part>,
                  "cue: a type was given as a callback but declares no hook (the type: in the note below); "
                  "check the spelling of its hooks, members named after an event:" CUE_HOOK_NAMES_TEXT);
    if constexpr (callback<Part>)
      (void)(check_near_misses<Part>() && check_listener_forms<Part>(static_cast<typename listened<Part>::type*>(nullptr)));
  }
  return true;
}
}  // namespace detail

/// Callbacks composed as template parameters: `cue::callbacks<A, B>{}` or `cue::callbacks{a, b}`.
/// Lvalues are held by reference (the caller reads their state afterwards), temporaries are moved
/// in. It is itself a callback, so groups nest. Every member hears every event it handles, in the
/// order given; nothing short-circuits.
template <class... Cs>
class callbacks : public detail::forward_events<callbacks<Cs...>> {
  static_assert((detail::check_is_callback<std::remove_cvref_t<Cs>>() && ...));

 public:
  /// What the checks walk: the callbacks it holds.
  using parts = cue::parts<std::remove_cvref_t<Cs>...>;

  constexpr callbacks() = default;

  template <class... Args>
    requires(sizeof...(Args) == sizeof...(Cs) && sizeof...(Cs) > 0 &&
             (std::constructible_from<detail::slot<Cs>, Args> && ...))
  constexpr callbacks(Args&&... args) : slots_(detail::slot<Cs>(std::forward<Args>(args))...) {}

  /// Some member takes part in `Event` with this context, so the group has that hook.
  template <class Event, class Ctx>
  static constexpr bool takes = (takes_event<Event, Cs, Ctx> || ...);

  /// Calls `f` on each callback, in order.
  template <class F>
  constexpr void for_each(F&& f) {
    boost::hana::for_each(slots_, [&](auto& s) { f(s.get()); });
  }

  /// The I-th callback.
  template <std::size_t I>
  [[nodiscard]] constexpr auto& get() noexcept {
    return boost::hana::at_c<I>(slots_).get();
  }

 private:
  friend detail::forward_events<callbacks>;

  // Every member hears the event in order. For on_exception, one that throws does not keep the
  // others from hearing it: its exception is dropped, so the loop can rethrow the original.
  template <class Event, class Ctx>
  constexpr void deliver(const Event& e, Ctx& ctx) {
    boost::hana::for_each(slots_, [&](auto& s) {
      if constexpr (std::is_same_v<Event, event::exception>) {
        try {
          cue::emit(e, s.get(), ctx);
        } catch (...) {  // NOLINT(bugprone-empty-catch)
        }
      } else {
        cue::emit(e, s.get(), ctx);
      }
    });
  }

  boost::hana::tuple<detail::slot<Cs>...> slots_;
};

template <class... Cs>
callbacks(Cs&&...) -> callbacks<Cs...>;

namespace detail {
// An adapter whose callback runs on another thread (in_background): not visited by for_each_part.
template <class C>
struct runs_elsewhere : std::false_type {};
struct ignore_part {
  template <class C>
  constexpr void operator()(C&) const noexcept {}
};
}  // namespace detail

/// Calls `f` on `c` and on every callback inside it: a group's members and an adapter's callback,
/// recursively, in the order they hear events (not inside in_background, whose callback runs on
/// its worker).
template <class C, class F>
constexpr void for_each_part(C& c, F&& f) {
  f(c);
  using T = std::remove_cvref_t<C>;
  if constexpr (detail::runs_elsewhere<T>::value) {
    return;
  } else if constexpr (requires { c.for_each(detail::ignore_part{}); }) {
    c.for_each([&](auto& member) { for_each_part(member, f); });
  } else if constexpr (requires { c.inner(); }) {
    for_each_part(c.inner(), f);
  }
}

}  // namespace cue
