// cue::callbacks: callbacks composed at compile time, and cue::emit, which delivers one event.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include <cue/events.hpp>
#include <cue/near_misses.hpp>

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

// The sixteen hooks of a type that forwards events (a group, an adapter): each is present when
// `Derived::takes<Event, Ctx>` and calls `Derived::deliver<Event>(ctx)`. Derived befriends it.
template <class Derived>
class forward_events {
 public:
  template <class Ctx>
    requires(forwards<Derived, event::train_begin, Ctx>)
  constexpr void on_train_begin(Ctx& ctx) { self().template deliver<event::train_begin>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::train_end, Ctx>)
  constexpr void on_train_end(Ctx& ctx) { self().template deliver<event::train_end>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::epoch_begin, Ctx>)
  constexpr void on_epoch_begin(Ctx& ctx) { self().template deliver<event::epoch_begin>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::epoch_end, Ctx>)
  constexpr void on_epoch_end(Ctx& ctx) { self().template deliver<event::epoch_end>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::train_batch_begin, Ctx>)
  constexpr void on_train_batch_begin(Ctx& ctx) { self().template deliver<event::train_batch_begin>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::train_batch_end, Ctx>)
  constexpr void on_train_batch_end(Ctx& ctx) { self().template deliver<event::train_batch_end>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::after_backward, Ctx>)
  constexpr void on_after_backward(Ctx& ctx) { self().template deliver<event::after_backward>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_begin, Ctx>)
  constexpr void on_test_begin(Ctx& ctx) { self().template deliver<event::test_begin>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_end, Ctx>)
  constexpr void on_test_end(Ctx& ctx) { self().template deliver<event::test_end>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_batch_begin, Ctx>)
  constexpr void on_test_batch_begin(Ctx& ctx) { self().template deliver<event::test_batch_begin>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::test_batch_end, Ctx>)
  constexpr void on_test_batch_end(Ctx& ctx) { self().template deliver<event::test_batch_end>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_begin, Ctx>)
  constexpr void on_predict_begin(Ctx& ctx) { self().template deliver<event::predict_begin>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_end, Ctx>)
  constexpr void on_predict_end(Ctx& ctx) { self().template deliver<event::predict_end>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_batch_begin, Ctx>)
  constexpr void on_predict_batch_begin(Ctx& ctx) { self().template deliver<event::predict_batch_begin>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::predict_batch_end, Ctx>)
  constexpr void on_predict_batch_end(Ctx& ctx) { self().template deliver<event::predict_batch_end>(ctx); }
  template <class Ctx>
    requires(forwards<Derived, event::exception, Ctx>)
  constexpr void on_exception(Ctx& ctx) { self().template deliver<event::exception>(ctx); }

 private:
  constexpr Derived& self() noexcept { return static_cast<Derived&>(*this); }
};
}  // namespace detail

/// A type that forwards every event to callbacks it holds (`cue::callbacks`, `cue::dynamic_callbacks`).
/// Specialize `cue::detail::is_group` to make another forwarding type one.
template <class C>
concept callback_group = detail::is_group<std::remove_cvref_t<C>>::value;

/// C takes part in `Event` with this context: it handles it, or it declares the hook (so a hook
/// that cannot be called is reported rather than silently skipped, unlike ensmallen's detection).
template <class Event, class C, class Ctx>
concept takes_event = Event::template handled<std::remove_reference_t<C>, Ctx> ||
                      (!callback_group<C> && Event::template declared<std::remove_cvref_t<C>>);

/// Delivers `Event` to one callback: calls its hook if it has one, does nothing if it has none
/// (so an unhandled event compiles to nothing), and is a compile error when the callback declares
/// the hook with a form that cannot take the context.
template <class Event, class C, class Ctx>
constexpr void emit(Event, C& c, Ctx& ctx) {
  using T = std::remove_cvref_t<C>;
  if constexpr (Event::template handled<C, Ctx>) {
    Event::call(c, ctx);
  } else if constexpr (!callback_group<T> && Event::template declared<T>) {
    Event::template report_not_callable<T, Ctx>();
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
  constexpr void deliver(Ctx& ctx) {
    boost::hana::for_each(slots_, [&](auto& s) {
      if constexpr (std::is_same_v<Event, event::exception>) {
        try {
          cue::emit(Event{}, s.get(), ctx);
        } catch (...) {  // NOLINT(bugprone-empty-catch)
        }
      } else {
        cue::emit(Event{}, s.get(), ctx);
      }
    });
  }

  boost::hana::tuple<detail::slot<Cs>...> slots_;
};

template <class... Cs>
callbacks(Cs&&...) -> callbacks<Cs...>;

}  // namespace cue
