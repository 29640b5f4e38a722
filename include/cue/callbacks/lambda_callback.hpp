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

template <class F>
struct lambda_hook<event::train_begin, F> {
  F f;
  void on_train_begin(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::train_end, F> {
  F f;
  void on_train_end(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::epoch_begin, F> {
  F f;
  void on_epoch_begin(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::epoch_end, F> {
  F f;
  void on_epoch_end(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::train_batch_begin, F> {
  F f;
  void on_train_batch_begin(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::train_batch_end, F> {
  F f;
  void on_train_batch_end(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::after_backward, F> {
  F f;
  void on_after_backward(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::test_begin, F> {
  F f;
  void on_test_begin(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::test_end, F> {
  F f;
  void on_test_end(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::test_batch_begin, F> {
  F f;
  void on_test_batch_begin(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::test_batch_end, F> {
  F f;
  void on_test_batch_end(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::predict_begin, F> {
  F f;
  void on_predict_begin(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::predict_end, F> {
  F f;
  void on_predict_end(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::predict_batch_begin, F> {
  F f;
  void on_predict_batch_begin(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::predict_batch_end, F> {
  F f;
  void on_predict_batch_end(auto& ctx) { f(ctx); }
};
template <class F>
struct lambda_hook<event::exception, F> {
  F f;
  void on_exception(auto& ctx) { f(ctx); }
};

// The factories, named after the hooks they make.
template <class F>
[[nodiscard]] constexpr auto on_train_begin(F f) {
  return lambda_hook<event::train_begin, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_train_end(F f) {
  return lambda_hook<event::train_end, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_epoch_begin(F f) {
  return lambda_hook<event::epoch_begin, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_epoch_end(F f) {
  return lambda_hook<event::epoch_end, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_train_batch_begin(F f) {
  return lambda_hook<event::train_batch_begin, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_train_batch_end(F f) {
  return lambda_hook<event::train_batch_end, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_after_backward(F f) {
  return lambda_hook<event::after_backward, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_test_begin(F f) {
  return lambda_hook<event::test_begin, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_test_end(F f) {
  return lambda_hook<event::test_end, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_test_batch_begin(F f) {
  return lambda_hook<event::test_batch_begin, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_test_batch_end(F f) {
  return lambda_hook<event::test_batch_end, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_predict_begin(F f) {
  return lambda_hook<event::predict_begin, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_predict_end(F f) {
  return lambda_hook<event::predict_end, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_predict_batch_begin(F f) {
  return lambda_hook<event::predict_batch_begin, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_predict_batch_end(F f) {
  return lambda_hook<event::predict_batch_end, F>{std::move(f)};
}
template <class F>
[[nodiscard]] constexpr auto on_exception(F f) {
  return lambda_hook<event::exception, F>{std::move(f)};
}

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
