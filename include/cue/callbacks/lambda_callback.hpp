// cue::lambda_callback: a callback made of functions, one per hook (Keras's LambdaCallback).
#pragma once

#include <type_traits>
#include <utility>

#include <cue/callbacks.hpp>
#include <cue/events.hpp>

namespace cue {

/// One function as the hook of one event: `cue::on_epoch_end([](auto& ctx) { ... })`.
/// Only that event reaches it, so a function on an epoch event costs nothing per batch.
template <class Event, class F>
struct lambda_hook;

#define CUE_LAMBDA_HOOK(NAME, STEM, EDGE, PHASE, CARRIES, WHAT)    \
  template <class F>                                               \
  struct lambda_hook<event::NAME, F> {                             \
    F f;                                                           \
    void on_##NAME(auto& ctx) { f(ctx); }                          \
  };                                                               \
  /** `cue::on_##NAME(f)`: `f(ctx)` as the hook on_##NAME. */       \
  template <class F>                                               \
  [[nodiscard]] constexpr auto on_##NAME(F f) {                    \
    return lambda_hook<event::NAME, F>{std::move(f)};              \
  }
CUE_HOOK_TABLE(CUE_LAMBDA_HOOK)
#undef CUE_LAMBDA_HOOK

/// Functions as hooks, as Keras's LambdaCallback:
/// `cue::lambda_callback cb{cue::on_epoch_end(f), cue::on_train_end(g)};`.
/// Each function takes the context (`auto& ctx`); any event can have one, not only Keras's six.
/// Hooks: those given.
template <class... Hooks>
struct lambda_callback : callbacks<Hooks...> {
  using callbacks<Hooks...>::callbacks;
};
template <class... Hooks>
lambda_callback(Hooks...) -> lambda_callback<Hooks...>;

namespace detail {
template <class... Hooks>
struct is_group<lambda_callback<Hooks...>> : std::true_type {};
}  // namespace detail

}  // namespace cue
