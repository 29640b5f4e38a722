// What a callback is made of, and the one walk over it. A group declares the callbacks it holds
// (`using parts = cue::parts<A, B>;`, as cue::callbacks does), an adapter the one it wraps
// (`using inner_type = C;`). Every compile-time check of a fit (needs, monitored metrics, hook
// forms, near misses, listened events, the distributed rules) asks `some_part` whether some part
// has a property and `first_part` which one to name; cue::for_each_part is the same walk over
// objects at run time.
#pragma once

#include <type_traits>

namespace cue {

/// The callbacks a group holds, as it declares them: `using parts = cue::parts<A, B>;`.
template <class... Cs>
struct parts {};

namespace detail {

/// The parts of C: its `parts`, else the callback it wraps (`inner_type`), else none.
template <class C>
struct parts_of {
  using type = parts<>;
};
template <class C>
  requires requires { typename C::parts; }
struct parts_of<C> {
  using type = typename C::parts;
};
template <class C>
  requires(!requires { typename C::parts; } && requires { typename C::inner_type; })
struct parts_of<C> {
  using type = parts<typename C::inner_type>;
};

template <class>
struct never : std::false_type {};

template <template <class> class Has, template <class> class Stop, class Parts>
struct any_of_parts;

/// Some part of C (C itself, then what it holds, recursively, not below a part for which `Stop`
/// holds) has the property `Has` (a trait with `value`).
template <template <class> class Has, class C, template <class> class Stop = never>
inline constexpr bool some_part = [] {
  if constexpr (Has<C>::value)
    return true;
  else if constexpr (Stop<C>::value)
    return false;
  else
    return any_of_parts<Has, Stop, typename parts_of<C>::type>::value;
}();

template <template <class> class Has, template <class> class Stop, class... Ps>
struct any_of_parts<Has, Stop, parts<Ps...>> : std::bool_constant<(some_part<Has, Ps, Stop> || ...)> {};

template <class... Ts>
struct first_type_but_void {
  using type = void;
};
template <class T, class... Ts>
struct first_type_but_void<T, Ts...> {
  using type = std::conditional_t<std::is_void_v<T>, typename first_type_but_void<Ts...>::type, T>;
};

template <template <class> class Has, template <class> class Stop, class C, class Parts = typename parts_of<C>::type>
struct first_part_of;
template <template <class> class Has, template <class> class Stop, class C, class... Ps>
struct first_part_of<Has, Stop, C, parts<Ps...>> {
  using type = std::conditional_t<
      Has<C>::value || Stop<C>::value, std::conditional_t<Has<C>::value, C, void>,
      typename first_type_but_void<typename first_part_of<Has, Stop, Ps>::type...>::type>;
};

/// The first part of C, in the order the parts hear events, that has the property `Has` (not
/// below a part for which `Stop` holds); void when none has it.
template <template <class> class Has, class C, template <class> class Stop = never>
using first_part = typename first_part_of<Has, Stop, C>::type;

}  // namespace detail
}  // namespace cue
