// cue::fixed_string: a string usable as a template argument, so metric names are types' business.
#pragma once

#include <cstddef>
#include <string_view>

namespace cue {

/// A string literal as a structural value: `cue::fixed_string{"loss"}`, or `"loss"` as a
/// template argument of type `cue::fixed_string`.
template <std::size_t N>
struct fixed_string {
  char chars[N]{};  // with the terminating '\0'

  constexpr fixed_string(const char (&s)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i) chars[i] = s[i];  // a loop: <algorithm> costs every includer
  }

  [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return N - 1; }
  constexpr operator std::string_view() const noexcept { return view(); }

  template <std::size_t M>
  [[nodiscard]] constexpr bool operator==(const fixed_string<M>& other) const noexcept {
    return view() == other.view();
  }
};

/// `prefix + name`, at compile time: `cue::concat<"val_", "loss">` is `"val_loss"`.
template <fixed_string A, fixed_string B>
inline constexpr auto concat = [] {
  char out[A.size() + B.size() + 1]{};
  for (std::size_t i = 0; i < A.size(); ++i) out[i] = A.chars[i];
  for (std::size_t i = 0; i <= B.size(); ++i) out[A.size() + i] = B.chars[i];
  return fixed_string<A.size() + B.size() + 1>(out);
}();

}  // namespace cue

namespace cue {

namespace detail {
// `static_assert(detail::holds<some_concept<T>>, "cue: ...")`: the check as a plain bool, so that
// g++ prints cue's message without a page of notes on why the concept is not satisfied.
template <bool B>
inline constexpr bool holds = B;
}  // namespace detail

/// A compile-time list of names, e.g. the metrics a callback monitors: `cue::names<"val_loss">`.
template <fixed_string... Names>
struct names {};

}  // namespace cue
