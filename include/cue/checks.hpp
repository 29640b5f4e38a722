// Everything a loop can know at compile time, as a list of checks: each is a predicate (`met`) with
// the one error that explains it (`report()`, a static_assert starting `cue:`). A loop runs its
// list in order and stops at the first check not met, so a mistake gives exactly one error, and
// the loop's body is instantiated only when every check holds.
#pragma once

#include <type_traits>
#include <utility>

#include <cue/callbacks.hpp>
#include <cue/distributed/communicator.hpp>
#include <cue/events.hpp>
#include <cue/learner.hpp>
#include <cue/logs.hpp>
#include <cue/loop_types.hpp>
#include <cue/parts.hpp>
#include <cue/requirements.hpp>

namespace cue::detail {

template <class Data>
consteval void check_data() {
  static_assert(holds<data_range<Data>>,
                "cue: the data type 'Data' is not a range of batches; pass something a range-for "
                "loop can iterate once per epoch (a std::vector of batches, a view, a dataset)");
}

template <class Learner, class Batch>
consteval void check_learner() {
  static_assert(holds<learner<Learner, Batch>>,
                "cue: the type 'Learner' cannot train on the batch type 'Batch'; add "
                "train_step(batch) returning cue::logs<...>, or the split step "
                "forward_backward(batch) returning cue::logs<...> and apply_gradients()");
}

template <class Learner, class Batch>
consteval void check_test_step() {
  static_assert(holds<has_test_step<Learner, Batch>>,
                "cue: the type 'Learner' cannot evaluate the batch type 'Batch'; add "
                "test_step(batch) returning cue::logs<...>");
}

template <class Learner, class Batch>
consteval void check_predict_step() {
  static_assert(holds<has_predict_step<Learner, Batch>>,
                "cue: the type 'Learner' cannot predict on the batch type 'Batch'; add "
                "predict_step(batch) returning the batch's predictions");
}

template <class Learner, class Batch>
consteval void check_split_step() {
  static_assert(holds<has_split_step<Learner, Batch>>,
                "cue: a callback handles on_after_backward, which needs a learner with the split "
                "step; add forward_backward(batch) returning cue::logs<...> and apply_gradients() "
                "to the type 'Learner', or remove the hook");
}

template <class Learner, class Batch>
consteval void check_same_logs() {
  static_assert(std::is_same_v<decltype(std::declval<Learner&>().train_step(std::declval<Batch&>())),
                               decltype(std::declval<Learner&>().forward_backward(
                                   std::declval<Batch&>()))>,
                "cue: the type 'Learner' has train_step and forward_backward returning different "
                "cue::logs types; make both return the same names");
}

template <class Learner, class Batch>
constexpr bool same_step_logs = [] {
  if constexpr (has_train_step<Learner, Batch> && has_split_step<Learner, Batch>)
    return std::is_same_v<decltype(std::declval<Learner&>().train_step(std::declval<Batch&>())),
                          decltype(std::declval<Learner&>().forward_backward(std::declval<Batch&>()))>;
  else
    return true;
}();

// Every hook a callback declares (and those of the callbacks it wraps or groups) can take fit's
// context for its event, with the logs the hook table says it carries. Checked before the loop is
// instantiated, so that a hook written with another signature (Keras's `on_epoch_end(epoch,
// logs)`) gets an error with a short trace. VL is void without validation data, whose test events
// fit never sends; nor does it send prediction events.
template <class L, class TL, class EL, class VL>
struct fit_hook_forms {
  template <class Event, class T, class Logs>
  static constexpr bool takes = Event::template handled<T, context<L, Logs>>;

  template <class Event>
  static constexpr bool sent = Event::phase != phase::predict && Event::phase != phase::predict_batch &&
                               (!std::is_void_v<VL> || (Event::phase != phase::test && Event::phase != phase::test_batch));

  // The logs types fit sends Event with (void: none, or not this one).
  template <class Event>
  struct logs_of {
    using first = std::conditional_t<Event::carries == carries::train_means, TL,
                  std::conditional_t<Event::carries == carries::epoch_logs, EL,
                  std::conditional_t<Event::carries == carries::test_means, VL, logs<>>>>;
    using second = std::conditional_t<Event::carries == carries::last_epoch, EL, void>;
  };

  template <class Event, class T>
  static constexpr bool fits = [] {
    if constexpr (!sent<Event> || !Event::template declared<T>)
      return true;
    else if constexpr (std::is_void_v<typename logs_of<Event>::second>)
      return takes<Event, T, typename logs_of<Event>::first>;
    else
      return takes<Event, T, typename logs_of<Event>::first> && takes<Event, T, typename logs_of<Event>::second>;
  }();

  template <class T, class... Events>
  static constexpr bool all_fit(event_list<Events...>*) {
    return (fits<Events, T> && ...);
  }
  template <class T>
  static constexpr bool own_ok = callback_group<T> || all_fit<T>(static_cast<all_events*>(nullptr));

  // The first hook of T that does not fit: one error.
  template <class Event, class T>
  static consteval bool report_if_unfit() {
    if constexpr (!fits<Event, T>) {
      using Logs = std::conditional_t<takes<Event, T, typename logs_of<Event>::first>, typename logs_of<Event>::second,
                                      typename logs_of<Event>::first>;
      Event::template report_not_callable<T, context<L, Logs>>();
    }
    return fits<Event, T>;
  }
  template <class T, class... Events>
  static consteval void report_own(event_list<Events...>*) {
    (void)(report_if_unfit<Events, T>() && ...);
  }
};

template <class ValData, class Learner>
constexpr bool validation_ok = [] {
  if constexpr (std::is_void_v<ValData>)
    return true;
  else if constexpr (!data_range<ValData>)
    return false;
  else
    return has_test_step<Learner, batch_of<ValData>>;
}();

// ---- The checks, each a predicate with its report. A check may assume those before it in a list
// hold: it is instantiated only when they do.

template <class Data>
struct data_is_a_range {
  static constexpr bool met = data_range<Data>;
  static consteval void report() { check_data<Data>(); }
};

template <class Learner, class Data>
struct learner_trains_on {
  static constexpr bool met = learner<Learner, batch_of<Data>>;
  static consteval void report() { check_learner<Learner, batch_of<Data>>(); }
};

template <class Learner, class Data>
struct steps_agree {
  static constexpr bool met = same_step_logs<Learner, batch_of<Data>>;
  static consteval void report() { check_same_logs<Learner, batch_of<Data>>(); }
};

template <class Learner, class ValData>
struct validates_on {
  static constexpr bool met = validation_ok<ValData, Learner>;
  static consteval void report() {
    if constexpr (!data_range<ValData>)
      check_data<ValData>();
    else
      check_test_step<Learner, batch_of<ValData>>();
  }
};

template <class... Cs>
struct are_callbacks {
  static constexpr bool met = (well_formed_callback<std::remove_cvref_t<Cs>> && ...);
  static consteval void report() { (static_cast<void>(check_is_callback<std::remove_cvref_t<Cs>>()), ...); }
};

// The logs types of a fit of Learner on Data with ValData (void: none).
template <class Learner, class Data, class ValData>
struct fit_logs {
  using batch = batch_of<Data>;
  using train = train_logs_t<Learner, batch>;
  using epoch = typename epoch_logs<Learner, batch, ValData>::type;
  using validation = typename validation_logs<Learner, ValData>::type;
};

// Every part of Group has hooks that fit can call; the error names the first part that has not.
template <class Learner, class Data, class ValData, class Group>
struct hooks_take_fits_context {
  using L = fit_logs<Learner, Data, ValData>;
  using forms = fit_hook_forms<Learner, typename L::train, typename L::epoch, typename L::validation>;
  template <class T>
  struct unfit : std::bool_constant<!forms::template own_ok<T>> {};
  static constexpr bool met = !some_part<unfit, Group>;
  static consteval void report() {
    forms::template report_own<first_part<unfit, Group>>(static_cast<all_events*>(nullptr));
  }
};

template <class Learner, class Data, class ValData, class Group>
struct needs_met {
  using req = requirements<Group, Learner, typename fit_logs<Learner, Data, ValData>::epoch>;
  static constexpr bool met = req::met;
  static consteval void report() { req::report(); }
};

template <class Learner, class Data, class Group>
struct split_step_when_heard {
  static constexpr bool met = !handled<event::after_backward, Group, Learner, train_logs_t<Learner, batch_of<Data>>> ||
                              has_split_step<Learner, batch_of<Data>>;
  static consteval void report() { check_split_step<Learner, batch_of<Data>>(); }
};

template <class Learner, class Group>
struct writers_on_rank_zero {
  static constexpr bool met = !distributed_learner<Learner> || distributed_ok<Group>::met;
  static consteval void report() { distributed_ok<Group>::report(); }
};

template <class... Checks>
struct first_unmet {
  using type = void;
};
template <class Check, class... Rest>
struct first_unmet<Check, Rest...> {
  // Only the check chosen is looked into: those after an unmet one may not even be well-formed.
  using type = typename std::conditional_t<Check::met, first_unmet<Rest...>, std::type_identity<Check>>::type;
};

/// Checks in order: `met` when all hold; `first` is the first that does not (void when all do),
/// whose `report()` gives the error. Called directly by the loop, for a short trace.
template <class... Checks>
struct check_list {
  using first = typename first_unmet<Checks...>::type;
  static constexpr bool met = std::is_void_v<first>;
};

/// What fit checks, in this order.
template <class Learner, class Data, class ValData, class... Cs>
using fit_checks =
    check_list<data_is_a_range<Data>, learner_trains_on<Learner, Data>, steps_agree<Learner, Data>,
               validates_on<Learner, ValData>, are_callbacks<Cs...>,
               hooks_take_fits_context<Learner, Data, ValData, callbacks<Cs...>>,
               needs_met<Learner, Data, ValData, callbacks<Cs...>>, listened_events<callbacks<Cs...>>,
               split_step_when_heard<Learner, Data, callbacks<Cs...>>, writers_on_rank_zero<Learner, callbacks<Cs...>>>;

}  // namespace cue::detail
