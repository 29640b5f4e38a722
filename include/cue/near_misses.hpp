// Near-miss hook names: members that are likely meant as one of the hooks (other words for begin
// and end, a slip of the fingers, Keras's legacy aliases, the names of PyTorch Lightning, fastai
// and ensmallen), generated from the hook table into near_miss_names.hpp (kept current by the ctest
// near_miss_names.current). A callback with such a
// member is a compile error that names the member and the hook it probably meant, whatever other
// hooks it has. A member meant as it is: `using not_hooks = cue::names<"epoch_end">;`.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cue/events.hpp>
#include <cue/fixed_string.hpp>
#include <cue/near_miss_names.hpp>

namespace cue {


namespace detail {
// One member of each near-miss name: `&near_miss_probe<C>::name` is ambiguous exactly when C
// declares a member of that name, of any kind (see every_hook_name).
struct every_near_miss_name {
#define CUE_NEAR_MISS_MEMBER(NAME, HOOK) int NAME;
  CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_MEMBER)
#undef CUE_NEAR_MISS_MEMBER
};
template <class C>
struct near_miss_probe : C, every_near_miss_name {};

// The names a callback declares as intended: `using not_hooks = cue::names<...>;`.
template <fixed_string... Names>
consteval bool names_contain(names<Names...>*, std::string_view name) {
  return ((Names.view() == name) || ...);
}
template <class C>
consteval bool intended(std::string_view name) {
  if constexpr (requires { typename C::not_hooks; })
    return names_contain(static_cast<typename C::not_hooks*>(nullptr), name);
  else
    return false;
}

// The fast path, one requirement list per type: C declares no member of any near-miss name.
template <class C>
concept without_near_miss_names = probeable<C> && requires {
#define CUE_NEAR_MISS_REQUIREMENT(NAME, HOOK) &near_miss_probe<C>::NAME;
  CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_REQUIREMENT)
#undef CUE_NEAR_MISS_REQUIREMENT
};

// The slow path, for a type with a near miss or a final class (which the probe cannot derive
// from; there, a member that can be named or called with one argument): which names C declares,
// in the table's order. The names are one literal, each followed by a space: parsed by every
// includer, an array of as many string_views costs g++ 12 a sixth of this header's time.
inline constexpr char near_miss_text[] =
#define CUE_NEAR_MISS_NAME(NAME, HOOK) #NAME " "
    CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_NAME)
#undef CUE_NEAR_MISS_NAME
    ;
inline constexpr std::size_t no_near_miss = 0
#define CUE_NEAR_MISS_ONE(NAME, HOOK) +1
    CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_ONE)
#undef CUE_NEAR_MISS_ONE
    ;

// Where the name starting at `from` ends. Indices into the array, not string_view::find: under
// -fsanitize=undefined g++ 12 cannot fold find's null test of a pointer into the literal.
constexpr std::size_t near_miss_end(std::size_t from) {
  while (near_miss_text[from] != ' ') ++from;
  return from;
}

// The i-th name of the table (constexpr, not consteval: an immediate call would be evaluated
// even in the branch of first_near_miss not taken, walking the whole text for every callback).
constexpr std::string_view near_miss_name(std::size_t i) {
  std::size_t begin = 0;
  for (; i > 0; --i) begin = near_miss_end(begin) + 1;
  return {near_miss_text + begin, near_miss_end(begin) - begin};
}

template <class C>
consteval std::size_t first_declared(const bool (&declared)[no_near_miss]) {
  std::size_t begin = 0;
  for (std::size_t i = 0; i < no_near_miss; ++i) {
    const std::size_t end = near_miss_end(begin);
    if (declared[i] && !intended<C>({near_miss_text + begin, end - begin})) return i;
    begin = end + 1;
  }
  return no_near_miss;
}

// The index in the table of the first near miss C declares, or no_near_miss.
template <class C>
inline constexpr std::size_t first_near_miss_index = [] {
  if constexpr (without_near_miss_names<C>) {
    return no_near_miss;
  } else if constexpr (probeable<C>) {
    constexpr bool declared[] = {
#define CUE_NEAR_MISS_DECLARED(NAME, HOOK) !requires { &near_miss_probe<C>::NAME; },
        CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_DECLARED)
#undef CUE_NEAR_MISS_DECLARED
    };
    return first_declared<C>(declared);
  } else {
    constexpr bool declared[] = {
#define CUE_NEAR_MISS_DECLARED(NAME, HOOK) \
  requires { &C::NAME; } || requires(C& c, any_argument& a) { c.NAME(a); },
        CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_DECLARED)
#undef CUE_NEAR_MISS_DECLARED
    };
    return first_declared<C>(declared);
  }
}();

/// The first near miss C declares, or "" when it declares none.
template <class C>
inline constexpr std::string_view first_near_miss =
    first_near_miss_index<C> == no_near_miss ? std::string_view() : near_miss_name(first_near_miss_index<C>);

// The near-miss names and their hooks as types, so that a failed check names the callback and
// the member in the line under the error (g++: "'...has_no_look_alike_member<training_monitor,
// ...member::on_epoch_ends, ...hook::on_epoch_end>' evaluates to false"; clang: in the error line).
namespace member {
#define CUE_NEAR_MISS_TYPE(NAME, HOOK) struct NAME;
CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_TYPE)
#undef CUE_NEAR_MISS_TYPE
}  // namespace member
template <class... Ts>
struct type_list {};
using near_miss_members = type_list<
#define CUE_NEAR_MISS_MEMBER_TYPE(NAME, HOOK) member::NAME,
    CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_MEMBER_TYPE) void>;
#undef CUE_NEAR_MISS_MEMBER_TYPE
using near_miss_hooks = type_list<
#define CUE_NEAR_MISS_HOOK_TYPE(NAME, HOOK) hook::HOOK,
    CUE_NEAR_MISS_TABLE(CUE_NEAR_MISS_HOOK_TYPE) void>;
#undef CUE_NEAR_MISS_HOOK_TYPE

// The I-th type of a list, without recursion (the list is long).
template <std::size_t I, class T>
struct indexed {
  using type = T;
};
template <class Indices, class... Ts>
struct indexed_all;
template <std::size_t... Is, class... Ts>
struct indexed_all<std::index_sequence<Is...>, Ts...> : indexed<Is, Ts>... {};
template <std::size_t I, class T>
T type_at_impl(const indexed<I, T>&);
template <std::size_t I, class... Ts>
consteval auto type_at(type_list<Ts...>*) -> decltype(type_at_impl<I>(indexed_all<std::index_sequence_for<Ts...>, Ts...>{}));

template <class Callback, class Member, class Hook>
inline constexpr bool has_no_look_alike_member = false;

template <class Callback, class Member, class Hook>
consteval void report_look_alike() {
  static_assert(has_no_look_alike_member<Callback, Member, Hook>,
                "cue: a callback type has a member that is no hook but looks like one (the type, the member "
                "and the hook it looks like: in the note below); rename the member, or declare it meant with "
                "`using not_hooks = cue::names<\"its name\">;`");
}

// Reports the first near miss of C: one error, however many it has (and true, so that a
// static_assert on the result adds none).
template <class C>
consteval bool check_near_misses() {
  constexpr std::size_t i = first_near_miss_index<C>;
  if constexpr (i != no_near_miss) {
    using Member = decltype(type_at<i>(static_cast<near_miss_members*>(nullptr)));
    using Hook = decltype(type_at<i>(static_cast<near_miss_hooks*>(nullptr)));
    report_look_alike<C, Member, Hook>();
  }
  return true;
}
}  // namespace detail

}  // namespace cue

