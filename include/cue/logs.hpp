// cue::logs: a record of named doubles whose names are compile-time strings.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <cue/fixed_string.hpp>

namespace cue {

/// The values a step reports, named at compile time: `cue::logs<"loss", "accuracy">{0.3, 0.9}`.
/// Default construction gives all zeros. Read a value with `cue::get<"loss">(logs)`.
template <fixed_string... Names>
struct logs {
  static constexpr std::size_t size = sizeof...(Names);
  /// The names, in declaration order.
  static constexpr std::array<std::string_view, size> names{Names.view()...};

  std::array<double, size> values{};

  constexpr logs() noexcept = default;

  /// One value per name, in order; a step can simply `return {loss, accuracy};`.
  template <std::convertible_to<double>... Values>
    requires(sizeof...(Values) == size && size > 0)
  constexpr logs(Values... v) noexcept : values{static_cast<double>(v)...} {}

  /// Whether `Name` is one of the names, at compile time.
  template <fixed_string Name>
  static constexpr bool contains = ((Name == Names) || ...);

  /// Position of `Name`; `size` when absent.
  template <fixed_string Name>
  static constexpr std::size_t index_of = [] {
    std::size_t i = 0;
    while (i < size && names[i] != Name.view()) ++i;
    return i;
  }();

  friend constexpr bool operator==(const logs&, const logs&) = default;
};

namespace detail {
template <class T>
struct is_logs : std::false_type {};
template <fixed_string... Names>
struct is_logs<logs<Names...>> : std::true_type {};

// The instantiation context of this function names the wanted metric and every available one
// (g++ prints them as strings), which is how the error lists the names that are there.
template <fixed_string Wanted, fixed_string... Available>
consteval std::size_t log_index() {
  static_assert(logs<Available...>::template contains<Wanted>,
                "cue: cue::get<Wanted>(logs): these logs have no value named 'Wanted'; use one "
                "of the names listed in 'Available' (shown with this error)");
  return logs<Available...>::template contains<Wanted> ? logs<Available...>::template index_of<Wanted>
                                                     : 0;
}
}  // namespace detail

/// True for the `cue::logs<...>` types.
template <class T>
concept logs_type = detail::is_logs<std::remove_cvref_t<T>>::value;

/// The value named `Name`; naming a value that is not there is a compile error listing those that are.
template <fixed_string Name, fixed_string... Names>
[[nodiscard]] constexpr double& get(logs<Names...>& l) noexcept {
  return l.values[detail::log_index<Name, Names...>()];
}
template <fixed_string Name, fixed_string... Names>
[[nodiscard]] constexpr double get(const logs<Names...>& l) noexcept {
  return l.values[detail::log_index<Name, Names...>()];
}

/// Calls `f(name, value)` for every entry, in order.
template <fixed_string... Names, class F>
constexpr void for_each_log(const logs<Names...>& l, F&& f) {
  for (std::size_t i = 0; i < sizeof...(Names); ++i) f(logs<Names...>::names[i], l.values[i]);
}

namespace detail {
template <fixed_string Prefix, class L>
struct prefixed;
template <fixed_string Prefix, fixed_string... Names>
struct prefixed<Prefix, logs<Names...>> {
  using type = logs<concat<Prefix, Names>...>;
};
template <class A, class B>
struct joined;
template <fixed_string... A, fixed_string... B>
struct joined<logs<A...>, logs<B...>> {
  using type = logs<A..., B...>;
};
}  // namespace detail

/// `logs<"loss">` becomes `logs<"val_loss">` with `prefixed_logs<"val_", ...>`.
template <fixed_string Prefix, class L>
using prefixed_logs = typename detail::prefixed<Prefix, L>::type;

/// The names of `A` followed by those of `B`.
template <class A, class B>
using joined_logs = typename detail::joined<A, B>::type;

/// `a` followed by `b`, as one record (used for epoch logs with `val_*` values).
template <fixed_string... A, fixed_string... B>
[[nodiscard]] constexpr logs<A..., B...> join(const logs<A...>& a, const logs<B...>& b) noexcept {
  logs<A..., B...> out;
  for (std::size_t i = 0; i < sizeof...(A); ++i) out.values[i] = a.values[i];
  for (std::size_t i = 0; i < sizeof...(B); ++i) out.values[sizeof...(A) + i] = b.values[i];
  return out;
}

}  // namespace cue
