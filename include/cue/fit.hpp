// cue::fit, cue::evaluate, cue::predict: Keras 3's training loops, with callbacks resolved at
// compile time. An event that no callback handles compiles to nothing.
//
// Order inside fit (Keras 3's): on_train_begin; for each epoch: on_epoch_begin; for each batch:
// on_train_batch_begin, the step (forward_backward, on_after_backward, apply_gradients for a split
// learner), on_train_batch_end, stop check; then, when due, validation (on_test_begin, for each
// batch on_test_batch_begin / on_test_batch_end, on_test_end); on_epoch_end (its logs: the epoch's
// means, `val_*` means, and `learning_rate` when the learner has one); stop check. Then
// on_train_end. A stop request inside an epoch ends its batches, but validation and on_epoch_end
// still run for that partial epoch. If anything throws, every callback gets on_exception, the
// exception is rethrown, and on_train_end is not called (as in Keras).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/callbacks.hpp>
#include <cue/callbacks/history.hpp>
#include <cue/checks.hpp>
#include <cue/context.hpp>
#include <cue/declared.hpp>
#include <cue/distributed/communicator.hpp>
#include <cue/distributed/protocol.hpp>
#include <cue/events.hpp>
#include <cue/learner.hpp>
#include <cue/logs.hpp>
#include <cue/loop_types.hpp>
#include <cue/options.hpp>
#include <cue/progress.hpp>

namespace cue {

/// Options of `cue::fit`, with Keras's defaults; declared in Keras's order.
struct fit_options {
  int epochs = 1;           ///< train until this epoch index (exclusive)
  int initial_epoch = 0;    ///< the epoch to start from (resuming a run)
  int validation_freq = 1;  ///< validate after every validation_freq-th epoch
  /// Keras's verbose: cue::verbose_auto (the progress bar on a terminal, a line per epoch in a
  /// file or pipe), 1 (the bar), 2 (a line per epoch), 0 (silent). The display is
  /// cue::progbar_logger, on standard output, when the program includes it (<cue/cue.hpp> does);
  /// none is added when a progbar_logger is among the callbacks.
  int verbose = verbose_auto;
};

/// The fields of fit_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<fit_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("fit_options", field{"epochs", &O::epochs},
                  field{"initial_epoch", &O::initial_epoch},
                  field{"validation_freq", &O::validation_freq},
                  field{"verbose", &O::verbose});
}

namespace detail {

inline void validate(const fit_options& o) {
  auto fail = [](const char* field, int value, const char* rule) {
    throw std::invalid_argument(std::string("cue: fit_options.") + field + " must be " + rule +
                                ", got " + std::to_string(value));
  };
  if (o.epochs < 0) fail("epochs", o.epochs, ">= 0");
  if (o.initial_epoch < 0) fail("initial_epoch", o.initial_epoch, ">= 0");
  if (o.validation_freq < 1) fail("validation_freq", o.validation_freq, ">= 1");
  if (o.verbose < verbose_auto || o.verbose > 2)
    fail("verbose", o.verbose, "cue::verbose_auto (-1), 0, 1 or 2");
}

// Sample-weighted running means of a logs type: each log's weighted sum, then the total weight,
// kept in one array (run_state::running shows it); means made on demand.
template <class Logs>
struct mean_of {
  std::array<double, Logs::size + 1> sums{};
  constexpr void add(const Logs& l, double w) {
    for (std::size_t i = 0; i < Logs::size; ++i) sums[i] += l.values[i] * w;
    sums[Logs::size] += w;
  }
  [[nodiscard]] constexpr Logs mean() const {
    const double weight = sums[Logs::size];
    Logs out;
    for (std::size_t i = 0; i < Logs::size; ++i)
      out.values[i] = weight > 0 ? sums[i] / weight : std::numeric_limits<double>::quiet_NaN();
    return out;
  }
};

template <class Logs>
constexpr Logs all_nan() {
  Logs out;
  out.values.fill(std::numeric_limits<double>::quiet_NaN());
  return out;
}

// Delivers a hook's event to `cbs` with a context whose typed events go to `root` (the loop's
// group; fit's history, which neither emits nor listens, is outside it).
template <class Event, class Cbs, class Root, class Learner, class Logs>
constexpr void notify(Event e, Cbs& cbs, Root& root, run_state& state, Learner& learner, Logs& logs) {
  context<Learner, Logs, Root> ctx(state, learner, logs, root);
  cue::emit(e, cbs, ctx);
}
// The group whose typed events a loop's callbacks reach: the loop's own, or, in fit's instance
// with a progress display, the user's group inside it. The display hears no typed events, and
// with the same root both instances share every callback's instantiations (compile time).
template <class Cbs>
constexpr Cbs& root_of(Cbs& cbs) {
  return cbs;
}
template <class Group>
constexpr Group& root_of(callbacks<Group&, fit_progress>& shown) {
  return shown.template get<0>();
}
template <class Event, class Cbs, class Learner, class Logs>
constexpr void notify(Event e, Cbs& cbs, run_state& state, Learner& learner, Logs& logs) {
  notify(e, cbs, root_of(cbs), state, learner, logs);
}

// One training step: the split step when a callback listens between backward and update (or the
// learner has only that), the fused train_step otherwise.
template <class Cbs, class Learner, class Batch>
auto train_one(Cbs& cbs, run_state& state, Learner& learner, Batch& batch) {
  using TL = train_logs_t<Learner, Batch>;
  if constexpr (handled<event::after_backward, Cbs, Learner, TL> ||
                !has_train_step<Learner, Batch>) {
    TL logs = learner.forward_backward(batch);
    if constexpr (handled<event::after_backward, Cbs, Learner, TL>)
      notify(event::after_backward{}, cbs, state, learner, logs);
    learner.apply_gradients();
    return logs;
  } else {
    return learner.train_step(batch);
  }
}

// Evaluation over `data`: on_test_begin, batches, on_test_end; returns the means. Standalone
// evaluation stops after the batch where a stop was requested; validation inside fit runs whole.
template <bool Standalone, class Cbs, class Learner, class Data>
auto test_loop(Cbs& cbs, run_state& state, Learner& learner, Data& data) {
  using VL = test_logs_t<Learner, batch_of<Data>>;
  logs<> none;
  notify(event::test_begin{}, cbs, state, learner, none);
  mean_of<VL> means;
  state.batch = 0;
  [[maybe_unused]] bool stopped = false;
  for (auto&& batch : data) {
    notify(event::test_batch_begin{}, cbs, state, learner, none);
    means.add(learner.test_step(batch), batch_weight(batch));
    if constexpr (handled<event::test_batch_end, Cbs, Learner, VL>) {
      VL running = means.mean();
      notify(event::test_batch_end{}, cbs, state, learner, running);
    }
    ++state.batch;
    if constexpr (Standalone && distributed_learner<Learner>) {
      if ((stopped = agree_after_batch(learner.communicator(), state, true))) break;
    } else if constexpr (Standalone) {
      if (state.stop) break;
    }
  }
  if constexpr (distributed_learner<Learner>) {
    if constexpr (Standalone) {
      if (!stopped) (void)agree_after_batch(learner.communicator(), state, false);  // this rank's data ended
    } else {
      check_same_batches(learner.communicator(), state.batch, 0, "validation");
    }
  }
  reduce_over_ranks(learner, means.sums);
  VL result = means.mean();
  notify(event::test_end{}, cbs, state, learner, result);
  return result;
}

[[noreturn]] inline void cannot_resume(const resume_point& at, const std::string& why) {
  throw std::runtime_error("cue: resuming epoch " + std::to_string(at.epoch) + " after batch " +
                           std::to_string(at.batch) + why);
}

// One epoch's training batches; returns their training sums (this rank's). `Resuming`: the epoch run.resume
// names, whose first batches are skipped and whose sums are restored.
template <bool Resuming, class Cbs, class Learner, class Data>
auto train_batches(Cbs& cbs, run_state& state, Learner& learner, Data& data) {
  using TL = train_logs_t<Learner, batch_of<Data>>;
  logs<> none;
  mean_of<TL> means;
  if constexpr (reads_running_sums<Cbs>) state.running = means.sums;
  auto it = range_access::first(data);
  const auto end = range_access::last(data);
  if constexpr (Resuming) {
    // The batches the backup holds are skipped, and the training sums they left restored, so the
    // epoch's logs are those of an unbroken run.
    const resume_point at = std::exchange(state.resume, resume_point{});
    if (at.batch > 0 && at.running.size() != means.sums.size())
      cannot_resume(at, ": the backup holds " + std::to_string(at.running.size()) + " training sums, this fit's logs need " +
                            std::to_string(means.sums.size()) + "; resume with the same learner");
    for (std::size_t i = 0; i < at.running.size() && i < means.sums.size(); ++i) means.sums[i] = at.running[i];
    for (std::size_t k = 0; k < at.batch; ++k, ++it)
      if (it == end)
        cannot_resume(at, ", but the training data has only " + std::to_string(k) +
                              " batches per epoch; resume with the same data");
    state.batch = at.batch;
    if (state.stop) {  // the backup was made after the batch that asked to stop
      state.running = {};
      return means;
    }
  }
  if constexpr (requires { learner.begin_batches(); }) learner.begin_batches();
  for (; it != end; ++it) {
    auto&& batch = *it;
    notify(event::train_batch_begin{}, cbs, state, learner, none);
    means.add(train_one(cbs, state, learner, batch), batch_weight(batch));
    if constexpr (handled<event::train_batch_end, Cbs, Learner, TL>) {
      TL running = means.mean();
      notify(event::train_batch_end{}, cbs, state, learner, running);
    }
    ++state.batch;
    ++state.step;
    if (stop_now(learner, state)) {
      state.running = {};
      return means;
    }
  }
  // The data ended on this rank: data_parallel checks that it did on every rank, with the
  // collective that matches a step's first (a rank with a batch left stops with an error).
  if constexpr (requires { learner.end_of_batches(); }) learner.end_of_batches();
  state.running = {};
  return means;
}

// The resuming instance, out of line: it runs once, and inlined it would crowd the usual one.
template <class Cbs, class Learner, class Data>
[[gnu::noinline]] auto train_resumed_batches(Cbs& cbs, run_state& state, Learner& learner, Data& data) {
  return train_batches<true>(cbs, state, learner, data);
}

// Data that keeps a state (cue::data::batches: its shuffle), which backup_and_restore saves.
template <class Data>
concept keeps_state = requires(Data& d, const Data& c) {
  d.load_state_dict(c.state_dict());
  { c.state_key() } -> std::convertible_to<std::string>;
};
template <class Data>
stateful_data erase_state(Data& data) {
  using dict = std::remove_cvref_t<decltype(data.state_dict())>;
  return {&data, [](const void* d) { return std::string(static_cast<const Data*>(d)->state_key()); },
          [](const void* d, void* out) { *static_cast<dict*>(out) = static_cast<const Data*>(d)->state_dict(); },
          [](void* d, const void* in) { static_cast<Data*>(d)->load_state_dict(*static_cast<const dict*>(in)); }};
}

template <class ValData, class Cbs, class Learner, class Data>
history fit_loop(Cbs& cbs, Learner& learner, Data& data, ValData* val, const fit_options& opts) {
  using Batch = batch_of<Data>;
  using TL = train_logs_t<Learner, Batch>;
  constexpr bool with_validation = !std::is_void_v<ValData>;
  using EL = typename epoch_logs<Learner, Batch, ValData>::type;

  run_state state;
  state.params = {opts.epochs, 0, opts.initial_epoch, opts.validation_freq, EL::names, TL::names};
  if constexpr (sized_data<Data>) state.params.steps = std::size(data);
  if constexpr (keeps_state<Data>) state.training_data = erase_state(data);

  history record;  // like Keras's History, it hears on_epoch_end after every user callback
  callbacks<Cbs&, history&> all(cbs, record);
  logs<> none;
  EL last = all_nan<EL>();
  bool ran_epoch = false;
  try {
    notify(event::train_begin{}, all, root_of(cbs), state, learner, none);
    if constexpr (distributed_learner<Learner>) learner.synchronize();  // rank 0's weights, before any step
    const int first_epoch = state.resume ? state.resume.epoch : opts.initial_epoch;
    for (int epoch = first_epoch; epoch < opts.epochs; ++epoch) {
      state.epoch = epoch;
      state.validated = false;
      state.batch = 0;
      notify(event::epoch_begin{}, cbs, state, learner, none);
      // Two instances of the batch loop: the usual one keeps its sums in registers, and the one
      // that resumes an epoch (restoring sums) does not slow it down.
      const mean_of<TL> mine = state.resume ? train_resumed_batches(cbs, state, learner, data)
                                            : train_batches<false>(cbs, state, learner, data);
      if constexpr (reads_running_sums<Cbs>) state.running = mine.sums;
      mean_of<TL> means = mine;
      reduce_over_ranks(learner, means.sums);  // every rank's samples
      typename epoch_logs<Learner, Batch, ValData>::measured measured;
      if constexpr (with_validation) {
        using VL = test_logs_t<Learner, batch_of<ValData>>;
        prefixed_logs<"val_", VL> val_logs = all_nan<prefixed_logs<"val_", VL>>();
        if ((epoch + 1) % opts.validation_freq == 0) {
          val_logs.values = test_loop<false>(cbs, state, learner, *val).values;
          state.validated = true;
        }
        measured = join(means.mean(), val_logs);
      } else {
        measured = means.mean();
      }
      EL epoch_logs;
      if constexpr (has_learning_rate<Learner>)
        epoch_logs = join(measured, logs<"learning_rate">{learner.learning_rate()});
      else
        epoch_logs = measured;
      notify(event::epoch_end{}, all, root_of(cbs), state, learner, epoch_logs);
      state.running = {};
      last = epoch_logs;
      ran_epoch = true;
      if (stop_now(learner, state)) break;
    }
    if (ran_epoch)
      notify(event::train_end{}, all, root_of(cbs), state, learner, last);
    else
      notify(event::train_end{}, all, root_of(cbs), state, learner, none);
  } catch (...) {
    state.error = std::current_exception();
    state.running = {};  // the sums it showed are gone
    if constexpr (handled<event::exception, Cbs, Learner, logs<>>)
      notify(event::exception{}, cbs, state, learner, none);
    if constexpr (distributed_learner<Learner>) abort_job(learner.communicator(), state.error);
    throw;
  }
  return record;
}

// The instance with fit's progress display, out of line: inlined, it would crowd the silent one.
template <class ValData, class Group, class Learner, class Data>
[[gnu::noinline]] history fit_shown(Group& group, Learner& learner, Data& data, ValData* val,
                                    const fit_options& options) {
  const struct owned {
    progress_display* display;
    ~owned() { delete display; }
  } own{make_progress_display(options.verbose)};
  callbacks<Group&, fit_progress> shown(group, fit_progress(*own.display));
  return fit_loop<ValData>(shown, learner, data, val, options);
}

// Checks everything knowable at compile time (checks.hpp), stopping at the first mistake so that
// it gives exactly one error, then runs the loop.
template <class ValData, class Learner, class Data, class... Cs>
history fit_checked(Learner& learner, Data& data, ValData* val, const fit_options& options, Cs&&... cbs) {
  using checks = fit_checks<Learner, Data, ValData, Cs...>;
  if constexpr (!checks::met) {
    checks::first::report();
    return {};
  } else {
    using Group = callbacks<Cs...>;
    validate(options);
    Group group(std::forward<Cs>(cbs)...);
    if constexpr (!shows_progress<Group>) {
      bool display = shows_display(options.verbose);
      if constexpr (distributed_learner<Learner>) display = display && learner.communicator().rank() == 0;
      // Two instances of the loop, so that a silent fit pays nothing per batch for the display.
      if (display) [[unlikely]]
        return fit_shown<ValData>(group, learner, data, val, options);
    }
    return fit_loop<ValData>(group, learner, data, val, options);
  }
}

}  // namespace detail

/// Trains `learner` on `data` for `options.epochs` epochs and returns the per-epoch logs.
/// Callbacks passed as lvalues are used by reference, temporaries are moved in.
template <class Learner, class Data, class... Cs>
history fit(Learner& learner, Data&& data, const fit_options& options, Cs&&... cbs) {
  return detail::fit_checked(learner, data, static_cast<void*>(nullptr), options,
                             std::forward<Cs>(cbs)...);
}

/// Trains with validation on `validation_data` after every `options.validation_freq`-th epoch;
/// on_epoch_end then also sees the `val_*` means.
template <class Learner, class Data, class ValidationData, class... Cs>
  requires(!std::is_convertible_v<ValidationData, fit_options>)
history fit(Learner& learner, Data&& data, ValidationData&& validation_data,
            const fit_options& options, Cs&&... cbs) {
  return detail::fit_checked(learner, data, &validation_data, options, std::forward<Cs>(cbs)...);
}

/// Evaluates `learner` on `data` and returns the mean logs (sample-weighted, as Keras's).
/// A stop requested by a callback ends the evaluation after the current batch. For a distributed
/// learner, the means of every rank's samples; an exception on one rank ends the job, as in fit.
template <class Learner, class Data, class... Cs>
auto evaluate(Learner& learner, Data&& data, Cs&&... cbs) {
  detail::check_data<std::remove_reference_t<Data>>();
  if constexpr (detail::data_range<Data>) {
    using Batch = detail::batch_of<Data>;
    detail::check_test_step<Learner, Batch>();
    if constexpr (has_test_step<Learner, Batch>) {
      callbacks<Cs...> group(std::forward<Cs>(cbs)...);
      run_state state;
      if constexpr (detail::sized_data<Data>) state.params.steps = std::size(data);
      if constexpr (distributed_learner<Learner>) {
        try {
          return detail::test_loop<true>(group, state, learner, data);
        } catch (...) {
          detail::abort_job(learner.communicator(), std::current_exception());
          throw;
        }
      } else {
        return detail::test_loop<true>(group, state, learner, data);
      }
    }
  }
}

/// Runs `learner.predict_step` on every batch of `data` and returns the results in order.
/// A stop requested by a callback ends prediction after the current batch. For a distributed
/// learner, each rank predicts on its own data and returns its own results (no collective).
template <class Learner, class Data, class... Cs>
auto predict(Learner& learner, Data&& data, Cs&&... cbs) {
  detail::check_data<std::remove_reference_t<Data>>();
  if constexpr (detail::data_range<Data>) {
    using Batch = detail::batch_of<Data>;
    detail::check_predict_step<Learner, Batch>();
    if constexpr (has_predict_step<Learner, Batch>) {
      using Output = std::remove_cvref_t<decltype(learner.predict_step(std::declval<Batch&>()))>;
      callbacks<Cs...> group(std::forward<Cs>(cbs)...);
      run_state state;
      if constexpr (detail::sized_data<Data>) state.params.steps = std::size(data);
      std::vector<Output> outputs;
      logs<> none;
      detail::notify(event::predict_begin{}, group, state, learner, none);
      for (auto&& batch : data) {
        detail::notify(event::predict_batch_begin{}, group, state, learner, none);
        outputs.push_back(learner.predict_step(batch));
        detail::notify(event::predict_batch_end{}, group, state, learner, none);
        ++state.batch;
        if (state.stop) break;
      }
      detail::notify(event::predict_end{}, group, state, learner, none);
      return outputs;
    }
  }
}

}  // namespace cue
