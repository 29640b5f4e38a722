// cue::state_dict: what a stateful callback (or dataset) saves so a resumed run continues it
// exactly (PyTorch Lightning's state_dict), with the conversions that keep its numbers exact.
// Files carry it in cue's one format (<cue/io/archive.hpp>).
#pragma once

#include <charconv>
#include <concepts>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/python_format.hpp>

namespace cue {

/// Named values, as text. Numbers are written so that they read back exactly.
using state_dict = std::map<std::string, std::string>;

/// A type that can save and restore its state: `state_dict()` and `load_state_dict(d)`.
template <class T>
concept stateful = requires(T& t, const state_dict& d) {
  { t.state_dict() } -> std::same_as<state_dict>;
  t.load_state_dict(d);
};

/// Names its state for a backup with `state_key()`: a short name, the same in every build and on
/// every machine (the kind of object and what it watches, as Lightning's state_key), without '.'
/// or whitespace. backup_and_restore files each tracked state under it.
template <class T>
concept has_state_key = requires(const T& t) {
  { t.state_key() } -> std::convertible_to<std::string>;
};

namespace state {

inline std::string number(double v) { return python_repr(v); }
inline std::string number(std::optional<double> v) { return v ? python_repr(*v) : std::string("none"); }
// std::from_chars, not std::stod: stod refuses subnormal numbers (ERANGE), which weights can be.
inline double to_double(const std::string& s) {
  double v = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (error != std::errc{} || end != s.data() + s.size() || s.empty())
    throw std::runtime_error("cue: state: '" + s + "' is not a number");
  return v;
}
/// A whole number as std::to_string writes it, or an error naming the text.
template <std::integral T = long long>
T to_integer(const std::string& s) {
  T v{};
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (error != std::errc{} || end != s.data() + s.size() || s.empty())
    throw std::runtime_error("cue: state: '" + s + "' is not a whole number that fits");
  return v;
}
inline std::size_t to_count(const std::string& s) { return to_integer<std::size_t>(s); }
/// The value at `key` of `d` (see `at`), a whole number in [lo, hi]: a backup is input, and a
/// counter out of its range (an epoch of -100000) is refused, naming it, rather than obeyed.
template <std::integral T>
T integer_at(const state_dict& d, const std::string& key, const std::string& owner, T lo = 0,
             T hi = std::numeric_limits<T>::max()) {
  const auto it = d.find(key);
  if (it == d.end()) throw std::runtime_error("cue: the saved state of " + owner + " has no '" + key + "'");
  T v{};
  const auto [end, error] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (error != std::errc{} || end != it->second.data() + it->second.size() || it->second.empty() || v < lo || v > hi)
    throw std::runtime_error("cue: the saved state of " + owner + " has '" + key + "' = '" + it->second.substr(0, 40) +
                             "', which is not a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}
inline std::optional<double> to_optional(const std::string& s) {
  if (s == "none") return std::nullopt;
  return to_double(s);
}
/// Floating-point numbers (float or double), each exactly: max_digits10 significant digits
/// round-trip the type.
template <class R, class T = std::remove_cvref_t<decltype(*std::begin(std::declval<const R&>()))>>
  requires std::floating_point<T>
std::string numbers(const R& values) {
  constexpr int digits = std::numeric_limits<T>::max_digits10;
  std::string out;
  char buf[40];
  for (const auto v : values) {
    std::snprintf(buf, sizeof buf, "%.*g ", digits, static_cast<double>(v));
    out += buf;
  }
  return out;
}
template <std::floating_point T>
std::vector<T> to_numbers(const std::string& s) {
  std::vector<T> out;  // the words between blanks (no <sstream>: it costs every includer)
  constexpr const char* blanks = " \t\n\r";
  for (std::size_t at = s.find_first_not_of(blanks); at != std::string::npos; at = s.find_first_not_of(blanks, at)) {
    const std::size_t blank = s.find_first_of(blanks, at), end = blank == std::string::npos ? s.size() : blank;
    out.push_back(static_cast<T>(to_double(s.substr(at, end - at))));
    at = end;
  }
  return out;
}
/// The entries under `prefix`, without it (one part of a state made of several).
inline state_dict slice(const state_dict& d, const std::string& prefix) {
  state_dict out;
  for (auto it = d.lower_bound(prefix); it != d.end() && it->first.starts_with(prefix); ++it)
    out.emplace(it->first.substr(prefix.size()), it->second);
  return out;
}
/// The value at `key`, or an error naming the key and the file part it belongs to.
inline const std::string& at(const state_dict& d, const std::string& key, const std::string& owner) {
  const auto it = d.find(key);
  if (it == d.end()) throw std::runtime_error("cue: the saved state of " + owner + " has no '" + key + "'");
  return it->second;
}

}  // namespace state

/// How a learner's in-memory snapshot (the type its `state()` returns) is kept in a backup, so
/// that early_stopping's best weights survive a resume. Specialize it for your snapshot type:
///
///     template <> struct cue::snapshot_codec<my_weights> {
///       static cue::state_dict save(const my_weights& w);   // named values, as text
///       static my_weights load(const cue::state_dict& d);   // the inverse, exactly
///     };
///
/// Provided: numbers, and ranges of ranges of floating-point numbers (cue::nn's
/// `std::vector<std::vector<float>>`).
template <class Snapshot>
struct snapshot_codec;

/// A snapshot type with a codec.
template <class S>
concept serializable_snapshot = requires(const S& s, const state_dict& d) {
  { snapshot_codec<S>::save(s) } -> std::same_as<state_dict>;
  { snapshot_codec<S>::load(d) } -> std::same_as<S>;
};

template <class S>
  requires std::is_arithmetic_v<S>
struct snapshot_codec<S> {
  static state_dict save(S s) { return {{"value", state::number(static_cast<double>(s))}}; }
  static S load(const state_dict& d) { return static_cast<S>(state::to_double(state::at(d, "value", "a snapshot"))); }
};

namespace detail {
template <class R>
using element_of = std::remove_cvref_t<decltype(*std::begin(std::declval<R&>()))>;
}  // namespace detail

template <class S>
  requires std::floating_point<detail::element_of<detail::element_of<S>>> &&
           requires(S& s, detail::element_of<S> part) { s.push_back(std::move(part)); }
struct snapshot_codec<S> {
  using part = detail::element_of<S>;
  using value = detail::element_of<part>;
  static state_dict save(const S& s) {
    state_dict d{{"count", std::to_string(std::size(s))}};
    std::size_t i = 0;
    for (const auto& p : s) d[std::to_string(i++)] = state::numbers(p);
    return d;
  }
  static S load(const state_dict& d) {
    S out;  // grown part by part: a wrong count fails, not allocates
    for (std::size_t i = 0, n = state::to_count(state::at(d, "count", "a snapshot")); i < n; ++i) {
      const auto numbers = state::to_numbers<value>(state::at(d, std::to_string(i), "a snapshot"));
      out.push_back(part(numbers.begin(), numbers.end()));
    }
    return out;
  }
};

}  // namespace cue
