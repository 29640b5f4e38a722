// What callbacks declare they need (`monitored` metrics, `formatted` filepath placeholders,
// `needs` capabilities), checked by the loops at compile time so that a mistake is an error before the first batch, not a warning after.
#pragma once

#include <type_traits>

#include <cue/callbacks.hpp>
#include <cue/declared.hpp>
#include <cue/fixed_string.hpp>
#include <cue/learner.hpp>
#include <cue/logs.hpp>
#include <cue/typed_events.hpp>

namespace cue::detail {

// The checks' conditions as named constants, so that a failed one names the callback, the metric
// and the loop's logs in the note under the error ("'...the_loop_produces<watcher<...>,
// cue::fixed_string<8>{"val_los"}, cue::logs<...>>' evaluates to false").
template <class Callback, fixed_string Metric, class Produced>
inline constexpr bool the_loop_produces = Produced::template contains<Metric>;

template <class Callback, fixed_string Wanted, fixed_string... Available>
consteval void check_monitored(logs<Available...>*) {
  static_assert(the_loop_produces<Callback, Wanted, logs<Available...>>,
                "cue: a callback monitors a metric that this loop does not produce (the callback, the metric and "
                "the loop's names: in the note below); monitor one of the loop's names (val_ names need "
                "validation data)");
}

// A filepath placeholder may name a log of the epoch, or the 1-based epoch and batch numbers.
template <fixed_string Name, class EpochLogs>
inline constexpr bool formattable = EpochLogs::template contains<Name> || Name == fixed_string{"epoch"} ||
                                    Name == fixed_string{"batch"};
template <class Callback, fixed_string Placeholder, class Produced>
inline constexpr bool the_loop_fills = formattable<Placeholder, Produced>;

template <class Callback, fixed_string Wanted, fixed_string... Available>
consteval void check_formatted(logs<Available...>*) {
  static_assert(the_loop_fills<Callback, Wanted, logs<Available...>>,
                "cue: a callback has a filepath placeholder naming something this loop does not produce (the "
                "callback, the placeholder and the loop's names: in the note below); name epoch, batch or one "
                "of the loop's names");
}

// What one part of a callback declares it needs, monitors and formats, against a loop with this
// learner and these epoch logs.
template <class Learner, class EpochLogs>
struct own_requirements {
  template <class M>
  struct monitored_met : std::true_type {};
  template <fixed_string... Names>
  struct monitored_met<names<Names...>> : std::bool_constant<(EpochLogs::template contains<Names> && ...)> {};
  template <class F>
  struct formatted_met : std::true_type {};
  template <fixed_string... Names>
  struct formatted_met<names<Names...>> : std::bool_constant<(formattable<Names, EpochLogs> && ...)> {};
  template <class N>
  struct needs_met : std::true_type {};
  template <class... Caps>
  struct needs_met<needs<Caps...>> : std::bool_constant<(Caps::template met<Learner> && ...)> {};

  template <class T>
  static constexpr bool monitors_ok = [] {
    if constexpr (requires { typename T::monitored; })
      return monitored_met<typename T::monitored>::value;
    else
      return true;
  }();
  template <class T>
  static constexpr bool formatted_ok = [] {
    if constexpr (requires { typename T::formatted; })
      return formatted_met<typename T::formatted>::value;
    else
      return true;
  }();
  template <class T>
  static constexpr bool needs_ok = [] {
    if constexpr (requires { typename T::needs; })
      return needs_met<typename T::needs>::value;
    else
      return true;
  }();

  template <class T>
  struct unmet : std::bool_constant<!(monitors_ok<T> && formatted_ok<T> && needs_ok<T>)> {};

  template <class C>
  static consteval void report() {
    if constexpr (!monitors_ok<C>)
      report_names<C>(typename C::monitored{});
    else if constexpr (!formatted_ok<C>)
      report_formatted<C>(typename C::formatted{});
    else if constexpr (!needs_ok<C>)
      report_needs<C>(typename C::needs{});
  }
  template <class C, fixed_string... Names>
  static consteval void report_names(names<Names...>) {
    (check_monitored<C, Names>(static_cast<EpochLogs*>(nullptr)), ...);
  }
  template <class C, fixed_string... Names>
  static consteval void report_formatted(names<Names...>) {
    (check_formatted<C, Names>(static_cast<EpochLogs*>(nullptr)), ...);
  }
  template <class C, class... Caps>
  static consteval void report_needs(needs<Caps...>) {
    ((Caps::template met<Learner> ? void() : Caps::template report<C, Learner>()), ...);
  }
};

/// Every part of `Group` gets what it declares it needs from a loop with this learner and these
/// epoch logs. `report()` gives the error for the first part that does not.
template <class Group, class Learner, class EpochLogs>
struct requirements {
  using own = own_requirements<Learner, EpochLogs>;
  using G = std::remove_cvref_t<Group>;
  static constexpr bool met = !some_part<own::template unmet, G>;
  static consteval void report() {
    if constexpr (!met) own::template report<first_part<own::template unmet, G>>();
  }
};

template <class Callback>
inline constexpr bool writes_on_rank_zero_only = !writes_on_every_rank<Callback>;
template <class Callback>
consteval void check_rank_zero_writer() {
  static_assert(writes_on_rank_zero_only<Callback>,
                "cue: a callback writes files or the terminal, and in a distributed fit every rank would write "
                "them (the callback: in the note below); wrap it so that rank 0 writes them once: "
                "cue::on_rank_zero(callback) (<cue/distributed/on_rank_zero.hpp>)");
}

/// In a distributed fit, every part that writes files or the terminal acts on rank 0 only.
template <class Group>
struct distributed_ok {
  static constexpr bool met = !writes_on_every_rank<Group>;
  static consteval void report() {
    if constexpr (!met) check_rank_zero_writer<first_part<writes_unfiltered, Group>>();
  }
};

template <class Needs>
inline constexpr bool changes_learner_by = false;
template <class... Caps>
inline constexpr bool changes_learner_by<needs<Caps...>> = (Caps::changes_learner || ...);
template <class C>
consteval bool declares_learner_change() {
  if constexpr (requires { typename C::needs; })
    return changes_learner_by<typename C::needs>;
  else
    return false;
}
// (A function, not a lambda in the base's template argument: clang 14 crashes reading such a
// lambda back from a precompiled header.)
template <class C>
struct needs_to_change_learner : std::bool_constant<declares_learner_change<C>()> {};

/// Whether some part changes the learner, as it declares through the capabilities it needs (a
/// learning rate it sets, a state it loads, gradients it clips). in_background, which hands its
/// callback a copy, and on_rank_zero reject such callbacks.
template <class C>
inline constexpr bool changes_learner = some_part<needs_to_change_learner, C>;

template <class C, class Event>
consteval void check_listened_emitted() {
  static_assert(holds<sizeof(C) == 0>,
                "cue: the callback type 'C' listens to the event 'Event', which no callback of "
                "this fit emits; add the callback that emits it, check the event's name, or "
                "declare it as cue::optional<Event> in `listens` if the callback can do without it");
}

/// Every event that a part of `Group` listens to without cue::optional is emitted by some part of
/// `Group`: a listener whose sender is missing is an error, not a silence. `report()` names the
/// first that is not.
template <class Group>
struct listened_events {
  template <class E>
  struct emitter {
    template <class C>
    struct of : std::bool_constant<declares_emit<C, E>> {};
  };
  template <class E>
  struct emitted : std::bool_constant<some_part<emitter<E>::template of, Group>> {};
  template <class C>
  struct unmet : std::bool_constant<!every_required<emitted, typename listened<C>::type>> {};

  static constexpr bool met = !some_part<unmet, Group>;

  template <class C>
  static consteval void report_first(listens<>) {}
  template <class C, class E, class... Es>
  static consteval void report_first(listens<E, Es...>) {
    if constexpr (required_event<E>::required && !emitted<typename required_event<E>::type>::value)
      check_listened_emitted<C, typename required_event<E>::type>();
    else
      report_first<C>(listens<Es...>{});
  }
  static consteval void report() {
    if constexpr (!met) {
      using C = first_part<unmet, Group>;
      report_first<C>(typename listened<C>::type{});
    }
  }
};

}  // namespace cue::detail
