// What cue asks of a learner: the steps the loops call, and the optional capabilities callbacks use.
#pragma once

#include <concepts>
#include <span>
#include <type_traits>

#include <cue/logs.hpp>

namespace cue {

/// `l.train_step(batch)` trains on one batch and returns its `cue::logs<...>`.
template <class L, class Batch>
concept has_train_step = requires(L& l, Batch& b) {
  { l.train_step(b) } -> logs_type;
};

/// The split step: `forward_backward(batch)` computes gradients and returns the batch's logs;
/// `apply_gradients()` updates the weights. Between the two the loop emits `on_after_backward`.
template <class L, class Batch>
concept has_split_step = requires(L& l, Batch& b) {
  { l.forward_backward(b) } -> logs_type;
  l.apply_gradients();
};

/// `l.test_step(batch)` evaluates one batch without training and returns its logs.
template <class L, class Batch>
concept has_test_step = requires(L& l, Batch& b) {
  { l.test_step(b) } -> logs_type;
};

/// A learner fit can train: it has `train_step` or the split step.
template <class L, class Batch>
concept learner = has_train_step<L, Batch> || has_split_step<L, Batch>;

/// `l.predict_step(batch)` returns the predictions for one batch.
template <class L, class Batch>
concept has_predict_step = requires(L& l, Batch& b) { l.predict_step(b); };

/// An in-memory snapshot of the weights: `auto s = l.state(); l.load_state(s);`.
template <class L>
concept has_state = requires(L& l) { l.load_state(l.state()); };

/// `l.learning_rate()` and `l.set_learning_rate(double)`.
template <class L>
concept has_learning_rate = requires(L& l, double lr) {
  { l.learning_rate() } -> std::convertible_to<double>;
  l.set_learning_rate(lr);
};

/// `l.gradients()`: the gradients of the last forward_backward, as a range of contiguous ranges
/// of floating-point values a callback may modify (e.g. `std::vector<std::span<float>>`).
namespace detail {
// A range of contiguous ranges of floating-point values (std::ranges::contiguous_range, said
// through std::span's deduction so that the core does not include <ranges>).
template <class G>
concept gradient_list = requires(G& g) {
  requires std::floating_point<std::remove_cv_t<typename decltype(std::span(*std::begin(g)))::element_type>>;
  std::begin(g) != std::end(g);
};
}  // namespace detail

template <class L>
concept has_gradients = requires(L& l) { requires detail::gradient_list<decltype(l.gradients())>; };

/// The capabilities a callback can ask for with `using needs = cue::needs<...>;`. Each checks a
/// learner and, when the learner lacks it, gives the error that says which members to add, and
/// says whether using it changes the learner (which a copy, as in_background's, would lose).
namespace capability {
struct state {
  static constexpr bool changes_learner = true;  // load_state
  template <class L>
  static constexpr bool met = has_state<L>;
  template <class Callback, class Learner>
  static consteval void report() {
    static_assert(detail::holds<met<Learner>>,
                  "cue: the callback type 'Callback' needs a learner with state() and "
                  "load_state(s) (an in-memory snapshot of the weights); add both members to "
                  "the type 'Learner'");
  }
};
struct learning_rate {
  static constexpr bool changes_learner = true;  // set_learning_rate
  template <class L>
  static constexpr bool met = has_learning_rate<L>;
  template <class Callback, class Learner>
  static consteval void report() {
    static_assert(detail::holds<met<Learner>>,
                  "cue: the callback type 'Callback' needs a learner with learning_rate() and "
                  "set_learning_rate(double); add both members to the type 'Learner'");
  }
};
struct gradients {
  static constexpr bool changes_learner = true;  // writes to the gradients
  template <class L>
  static constexpr bool met = has_gradients<L>;
  template <class Callback, class Learner>
  static consteval void report() {
    static_assert(detail::holds<met<Learner>>,
                  "cue: the callback type 'Callback' needs a learner with gradients() returning "
                  "its gradients as a range of contiguous floating-point ranges (e.g. "
                  "std::vector<std::span<float>>); add it to the type 'Learner'");
  }
};
}  // namespace capability

/// The learner capabilities a callback needs: `using needs = cue::needs<cue::capability::state>;`.
template <class... Capabilities>
struct needs {};

}  // namespace cue
