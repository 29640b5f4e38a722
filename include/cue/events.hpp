// The events of a training run: one concept per hook, and one tag type per event that the
// dispatcher and the diagnostics use. A hook is a member `on_<event>(ctx)` taking the context.
#pragma once

#include <string_view>
#include <type_traits>

#include <cue/fixed_string.hpp>

namespace cue {

// One concept per hook: `c.on_<event>(ctx)` is valid for this context type.

/// Training starts (fit).
template <class C, class Ctx>
concept handles_on_train_begin = requires(C& c, Ctx& ctx) { c.on_train_begin(ctx); };
/// Training ended normally (fit); not called when fit throws.
template <class C, class Ctx>
concept handles_on_train_end = requires(C& c, Ctx& ctx) { c.on_train_end(ctx); };
/// An epoch starts.
template <class C, class Ctx>
concept handles_on_epoch_begin = requires(C& c, Ctx& ctx) { c.on_epoch_begin(ctx); };
/// An epoch ended, validation included; logs hold epoch means and `val_*` means.
template <class C, class Ctx>
concept handles_on_epoch_end = requires(C& c, Ctx& ctx) { c.on_epoch_end(ctx); };
/// A training batch is about to run.
template <class C, class Ctx>
concept handles_on_train_batch_begin = requires(C& c, Ctx& ctx) { c.on_train_batch_begin(ctx); };
/// A training batch ran; logs hold the epoch's running means.
template <class C, class Ctx>
concept handles_on_train_batch_end = requires(C& c, Ctx& ctx) { c.on_train_batch_end(ctx); };
/// Gradients are ready, before the update (learners with a split step).
template <class C, class Ctx>
concept handles_on_after_backward = requires(C& c, Ctx& ctx) { c.on_after_backward(ctx); };
/// Evaluation starts (validation inside fit, or evaluate).
template <class C, class Ctx>
concept handles_on_test_begin = requires(C& c, Ctx& ctx) { c.on_test_begin(ctx); };
/// Evaluation ended; logs hold its means, without the `val_` prefix.
template <class C, class Ctx>
concept handles_on_test_end = requires(C& c, Ctx& ctx) { c.on_test_end(ctx); };
/// An evaluation batch is about to run.
template <class C, class Ctx>
concept handles_on_test_batch_begin = requires(C& c, Ctx& ctx) { c.on_test_batch_begin(ctx); };
/// An evaluation batch ran; logs hold the running means.
template <class C, class Ctx>
concept handles_on_test_batch_end = requires(C& c, Ctx& ctx) { c.on_test_batch_end(ctx); };
/// Prediction starts.
template <class C, class Ctx>
concept handles_on_predict_begin = requires(C& c, Ctx& ctx) { c.on_predict_begin(ctx); };
/// Prediction ended.
template <class C, class Ctx>
concept handles_on_predict_end = requires(C& c, Ctx& ctx) { c.on_predict_end(ctx); };
/// A prediction batch is about to run.
template <class C, class Ctx>
concept handles_on_predict_batch_begin = requires(C& c, Ctx& ctx) { c.on_predict_batch_begin(ctx); };
/// A prediction batch ran.
template <class C, class Ctx>
concept handles_on_predict_batch_end = requires(C& c, Ctx& ctx) { c.on_predict_batch_end(ctx); };
/// Fit is aborting because something threw; `ctx.exception()` holds it.
template <class C, class Ctx>
concept handles_on_exception = requires(C& c, Ctx& ctx) { c.on_exception(ctx); };

namespace detail {
// A class with a member of every hook name. Deriving from it and from C makes `&probe::on_x`
// ambiguous exactly when C declares some member named on_x, whatever its signature (a template,
// a wrong parameter list, a data member): that is how a near miss is told from an absent hook.
struct every_hook_name {
  int on_train_begin,
      on_train_end,
      on_epoch_begin,
      on_epoch_end,
      on_train_batch_begin,
      on_train_batch_end,
      on_after_backward,
      on_test_begin,
      on_test_end,
      on_test_batch_begin,
      on_test_batch_end,
      on_predict_begin,
      on_predict_end,
      on_predict_batch_begin,
      on_predict_batch_end,
      on_exception;
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
// Instantiated only for a hook declared in a form that cannot take the context; g++ prints the
// hook's name, the callback type and the context on the line that names this function.
template <fixed_string Hook, class Callback, class Context>
consteval void report_hook_not_callable() {
  static_assert(holds<sizeof(Callback) == 0>,
                "cue: the member 'Hook' of the callback type 'Callback' cannot be called as "
                "Hook(ctx); a hook takes one parameter, the context: write it as `void "
                "Hook(auto& ctx)`");
}
}  // namespace detail

/// The events as tag types (`cue::event::epoch_end`, ...). Each knows its hook's name, whether a
/// type declares a member of that name (`declared`, callable or not), whether it can be called
/// with a context (`handled`), and how to call it.
namespace event {

// Member names cannot be template arguments, so the sixteen tags are spelled by this one local
// macro; it is undefined below and nothing outside this header sees it.
#define CUE_EVENT(NAME)                                                                        \
  struct NAME {                                                                                \
    static constexpr std::string_view hook = "on_" #NAME;                                      \
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
      detail::report_hook_not_callable<"on_" #NAME, Callback, Context>();                      \
    }                                                                                          \
  }

CUE_EVENT(train_begin);
CUE_EVENT(train_end);
CUE_EVENT(epoch_begin);
CUE_EVENT(epoch_end);
CUE_EVENT(train_batch_begin);
CUE_EVENT(train_batch_end);
CUE_EVENT(after_backward);
CUE_EVENT(test_begin);
CUE_EVENT(test_end);
CUE_EVENT(test_batch_begin);
CUE_EVENT(test_batch_end);
CUE_EVENT(predict_begin);
CUE_EVENT(predict_end);
CUE_EVENT(predict_batch_begin);
CUE_EVENT(predict_batch_end);
CUE_EVENT(exception);
#undef CUE_EVENT

}  // namespace event

/// A list of event tags.
template <class... Events>
struct event_list {
  /// Some event of the list has a hook declared by C.
  template <class C>
  static constexpr bool any_declared = (Events::template declared<C> || ...);
};

/// Every event, in the order of the concepts above.
using all_events = event_list<event::train_begin, event::train_end, event::epoch_begin, event::epoch_end, event::train_batch_begin, event::train_batch_end, event::after_backward, event::test_begin, event::test_end, event::test_batch_begin, event::test_batch_end, event::predict_begin, event::predict_end, event::predict_batch_begin, event::predict_batch_end, event::exception>;

/// The umbrella concept: C declares at least one hook, or listens to typed events
/// (`using listens = cue::listens<...>;`), so it is a callback.
template <class C>
concept callback = all_events::any_declared<std::remove_cvref_t<C>> ||
                   requires { typename std::remove_cvref_t<C>::listens; };

}  // namespace cue
