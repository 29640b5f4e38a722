// The types a loop works with, derived from its data and learner: what a batch is, the logs each
// step returns, and the logs each event carries (hooks.hpp's `carries`). The loops (fit.hpp) and
// their compile-time checks (checks.hpp) share them.
#pragma once

#include <concepts>
#include <cstddef>
#include <vector>  // std::size, without <iterator>
#include <type_traits>
#include <utility>

#include <cue/context.hpp>
#include <cue/learner.hpp>
#include <cue/logs.hpp>

namespace cue::detail {

// What the loops iterate: anything a range-for loop can (std::ranges::input_range, said without
// <ranges>, whose views would cost every includer of this header a tenth of a second).
namespace range_access {
using std::begin;
using std::end;
template <class D>
constexpr auto first(D& d) -> decltype(begin(d)) {
  return begin(d);
}
template <class D>
constexpr auto last(D& d) -> decltype(end(d)) {
  return end(d);
}
}  // namespace range_access
template <class D>
concept data_range = requires(D& d, decltype(range_access::first(d)) it) {
  it != range_access::last(d);
  *it;
  ++it;
};
template <class D>
concept sized_data = requires(D& d) { std::size(d); };

template <class Range>
using batch_of = std::remove_reference_t<decltype(*range_access::first(std::declval<Range&>()))>;

// A batch counts as many samples as its size() says (Keras weights running means by samples),
// or as one when it cannot say.
template <class Batch>
constexpr double batch_weight(const Batch& b) {
  if constexpr (requires { {b.size()} -> std::convertible_to<double>; })
    return static_cast<double>(b.size());
  else
    return 1.0;
}

template <class Event, class Cbs, class Learner, class Logs>
inline constexpr bool handled = Event::template handled<Cbs, context<Learner, Logs, Cbs>>;

template <class Learner, class Batch>
struct train_logs {
  using type = decltype(std::declval<Learner&>().forward_backward(std::declval<Batch&>()));
};
template <class Learner, class Batch>
  requires has_train_step<Learner, Batch>
struct train_logs<Learner, Batch> {
  using type = decltype(std::declval<Learner&>().train_step(std::declval<Batch&>()));
};
template <class Learner, class Batch>
using train_logs_t = typename train_logs<Learner, Batch>::type;

template <class Learner, class Batch>
using test_logs_t = decltype(std::declval<Learner&>().test_step(std::declval<Batch&>()));

// The logs fit hands on_epoch_end: the training means, then `val_*` means with validation data,
// then `learning_rate` when the learner has one (the rate the epoch trained with).
template <class Learner, class Batch, class ValData>
struct measured_logs {
  using type = joined_logs<train_logs_t<Learner, Batch>,
                           prefixed_logs<"val_", test_logs_t<Learner, batch_of<ValData>>>>;
};
template <class Learner, class Batch>
struct measured_logs<Learner, Batch, void> {
  using type = train_logs_t<Learner, Batch>;
};
template <class Learner, class ValData>
struct validation_logs {
  using type = test_logs_t<Learner, batch_of<ValData>>;
};
template <class Learner>
struct validation_logs<Learner, void> {
  using type = void;
};

template <class Learner, class Batch, class ValData>
struct epoch_logs {
  using measured = typename measured_logs<Learner, Batch, ValData>::type;
  using type = std::conditional_t<has_learning_rate<Learner>,
                                  joined_logs<measured, logs<"learning_rate">>, measured>;
};

}  // namespace cue::detail
