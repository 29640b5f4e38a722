// The events of a training run, generated from the hook table (hooks.hpp): one concept per hook,
// and one tag type per event that the dispatcher and the diagnostics use. A hook is a member
// `on_<event>(ctx)` taking the context.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include <cue/fixed_string.hpp>
#include <cue/hooks.hpp>

namespace cue {

// One concept per hook: `c.on_<event>(ctx)` is valid for this context type
// (`cue::handles_on_epoch_end<C, Ctx>`, ...).
#define CUE_HOOK_CONCEPT(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) \
  template <class C, class Ctx>                                  \
  concept handles_on_##NAME = requires(C& c, Ctx& ctx) { c.on_##NAME(ctx); };
CUE_HOOK_TABLE(CUE_HOOK_CONCEPT)
#undef CUE_HOOK_CONCEPT

namespace detail {
// A class with a member of every hook name. Deriving from it and from C makes `&probe::on_x`
// ambiguous exactly when C declares some member named on_x, whatever its signature (a template,
// a wrong parameter list, a data member): that is how a near miss is told from an absent hook.
struct every_hook_name {
#define CUE_HOOK_MEMBER(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) int on_##NAME;
  CUE_HOOK_TABLE(CUE_HOOK_MEMBER)
#undef CUE_HOOK_MEMBER
};
template <class C>
struct hook_probe : C, every_hook_name {};
template <class C>
concept probeable = std::is_class_v<C> && !std::is_final_v<C>;

// An argument a hook written `on_x(auto& ctx)` accepts: how a member of a final class (which the
// probe cannot derive from) is found when it is a template.
struct any_argument {};

// What `&C::member` points to: a member function or a data member, of the object or static.
template <class P>
struct pointee {
  using type = std::remove_pointer_t<P>;
};
template <class T, class C>
struct pointee<T C::*> {
  using type = T;
};
// A member that can be a hook: a function, or data that can be called (a function pointer, a
// function object); a number or a string named like a hook is none.
template <class P>
inline constexpr bool may_be_hook = std::is_function_v<typename pointee<P>::type> ||
                                    std::is_class_v<typename pointee<P>::type> ||
                                    std::is_function_v<std::remove_pointer_t<typename pointee<P>::type>>;
}  // namespace detail

namespace detail {
// The hooks as types, so that a failed check names them in the line under the error (g++:
// "'...hook_takes_the_context<keras_style, cue::detail::hook::on_epoch_end>' evaluates to false";
// clang: in the error line).
namespace hook {
#define CUE_HOOK_TYPE(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) struct on_##NAME;
CUE_HOOK_TABLE(CUE_HOOK_TYPE)
#undef CUE_HOOK_TYPE
}  // namespace hook
template <class Callback, class Hook>
inline constexpr bool hook_takes_the_context = false;
// Instantiated only for a hook declared in a form that cannot take the context.
template <class Callback, class Hook>
consteval void report_hook_not_callable() {
  static_assert(hook_takes_the_context<Callback, Hook>,
                "cue: a hook of a callback type cannot be called as hook(ctx) (the type and the hook: in the "
                "note below); a hook takes one parameter, the context: write it as `void on_<event>(auto& ctx)`");
}
}  // namespace detail

/// The events as tag types (`cue::event::epoch_end`, ...), one per line of the hook table. Each
/// knows its hook's name, its phase, edge and logs, whether a type declares a member of that name
/// (`declared`, callable or not), whether it can be called with a context (`handled`), and how to
/// call it.
namespace event {

#define CUE_EVENT_TAG(NAME, STEM, EDGE, PHASE, CARRIES, WHAT)                                    \
  struct NAME {                                                                                \
    static constexpr std::string_view hook = "on_" #NAME;                                      \
    static constexpr std::string_view meaning = WHAT;                                          \
    static constexpr cue::phase phase = cue::phase::PHASE;                                     \
    static constexpr cue::edge edge = cue::edge::EDGE;                                         \
    static constexpr cue::carries carries = cue::carries::CARRIES;                             \
    template <class C>                                                                         \
    static constexpr bool declared = [] {                                                      \
      if constexpr (requires { &C::on_##NAME; })                                               \
        return detail::may_be_hook<decltype(&C::on_##NAME)>;                                   \
      else if constexpr (detail::probeable<C>)                                                 \
        return !requires { &detail::hook_probe<C>::on_##NAME; };                               \
      else                                                                                     \
        return requires(C& c, detail::any_argument& a) { c.on_##NAME(a); };                    \
    }();                                                                                       \
    template <class C, class Ctx>                                                              \
    static constexpr bool handled = handles_on_##NAME<C, Ctx>;                                 \
    template <class C, class Ctx>                                                              \
    static constexpr void call(C& c, Ctx& ctx) {                                               \
      c.on_##NAME(ctx);                                                                        \
    }                                                                                          \
    template <class Callback, class Context>                                                   \
    static consteval void report_not_callable() {                                              \
      detail::report_hook_not_callable<Callback, detail::hook::on_##NAME>();                   \
    }                                                                                          \
  };
CUE_HOOK_TABLE(CUE_EVENT_TAG)
#undef CUE_EVENT_TAG

}  // namespace event

/// A list of event tags.
template <class... Events>
struct event_list {
  static constexpr std::size_t size = sizeof...(Events);
  /// Some event of the list has a hook declared by C.
  template <class C>
  static constexpr bool any_declared = (Events::template declared<C> || ...);
};

namespace detail {
#define CUE_EVENT_TYPE(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) , event::NAME
template <class, class... Events>
using events_of_table = event_list<Events...>;
}  // namespace detail

/// Every event, in the order of the hook table.
using all_events = detail::events_of_table<void CUE_HOOK_TABLE(CUE_EVENT_TYPE)>;
#undef CUE_EVENT_TYPE

/// The hooks' names, in the order of the hook table.
inline constexpr std::string_view hook_names[] = {
#define CUE_HOOK_NAME(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) "on_" #NAME,
    CUE_HOOK_TABLE(CUE_HOOK_NAME)
#undef CUE_HOOK_NAME
};

/// The hooks' names, one string for messages: "on_train_begin, on_train_end, ...".
#define CUE_HOOK_NAME_TEXT(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) " on_" #NAME
#define CUE_HOOK_NAMES_TEXT CUE_HOOK_TABLE(CUE_HOOK_NAME_TEXT)

/// The umbrella concept: C declares at least one hook, or listens to typed events
/// (`using listens = cue::listens<...>;`), so it is a callback.
template <class C>
concept callback = all_events::any_declared<std::remove_cvref_t<C>> ||
                   requires { typename std::remove_cvref_t<C>::listens; };

}  // namespace cue
