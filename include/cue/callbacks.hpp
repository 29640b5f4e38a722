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

// The sixteen hooks of a type that forwards events (a group, an adapter), and `on` for typed
// events: each is present when `Derived::takes<Event, Ctx>` and calls `Derived::deliver(event,
// ctx)`. Derived befriends it.
template <class Derived>
class forward_events {
 public:
  template <class Ctx>
    requires(forwards<Derived, event::train_begin, Ctx>)
  constexpr void on_train_begin(Ctx& ctx) { self().deliver(event::train_begin{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::train_end, Ctx>)
  constexpr void on_train_end(Ctx& ctx) { self().deliver(event::train_end{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::epoch_begin, Ctx>)
  constexpr void on_epoch_begin(Ctx& ctx) { self().deliver(event::epoch_begin{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::epoch_end, Ctx>)
  constexpr void on_epoch_end(Ctx& ctx) { self().deliver(event::epoch_end{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::train_batch_begin, Ctx>)
  constexpr void on_train_batch_begin(Ctx& ctx) { self().deliver(event::train_batch_begin{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::train_batch_end, Ctx>)
  constexpr void on_train_batch_end(Ctx& ctx) { self().deliver(event::train_batch_end{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::after_backward, Ctx>)
  constexpr void on_after_backward(Ctx& ctx) { self().deliver(event::after_backward{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_begin, Ctx>)
  constexpr void on_test_begin(Ctx& ctx) { self().deliver(event::test_begin{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_end, Ctx>)
  constexpr void on_test_end(Ctx& ctx) { self().deliver(event::test_end{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_batch_begin, Ctx>)
  constexpr void on_test_batch_begin(Ctx& ctx) { self().deliver(event::test_batch_begin{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_batch_end, Ctx>)
  constexpr void on_test_batch_end(Ctx& ctx) { self().deliver(event::test_batch_end{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_begin, Ctx>)
  constexpr void on_predict_begin(Ctx& ctx) { self().deliver(event::predict_begin{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_end, Ctx>)
  constexpr void on_predict_end(Ctx& ctx) { self().deliver(event::predict_end{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_batch_begin, Ctx>)
  constexpr void on_predict_batch_begin(Ctx& ctx) { self().deliver(event::predict_batch_begin{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_batch_end, Ctx>)
  constexpr void on_predict_batch_end(Ctx& ctx) { self().deliver(event::predict_batch_end{}, ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::exception, Ctx>)
  constexpr void on_exception(Ctx& ctx) { self().deliver(event::exception{}, ctx); }
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

template <class C>
consteval bool check_inner();

template <class C>
consteval bool check_is_callback() {
  static_assert(holds<callback<C>>,
                "cue: the type 'C' was given as a callback but declares no hook; a hook is a "
                "member named after an event (on_train_begin, on_train_end, on_epoch_begin, "
                "on_epoch_end, on_train_batch_begin, on_train_batch_end, on_after_backward, "
                "on_test_begin, on_test_end, on_test_batch_begin, on_test_batch_end, "
                "on_predict_begin, on_predict_end, on_predict_batch_begin, "
                "on_predict_batch_end, on_exception): check the spelling of its hooks");
  if constexpr (callback<C>) return check_near_misses<C>() && check_inner<C>();
  return true;
}
// The callback an adapter wraps is checked too.
template <class C>
consteval bool check_inner() {
  if constexpr (requires { typename C::inner_type; })
    return check_is_callback<typename C::inner_type>();
  else
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
