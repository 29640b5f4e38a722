// cue::context: what a hook receives. Loops own a run_state and hand hooks light views of it.
#pragma once

#include <cstddef>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/logs.hpp>
#include <cue/stop_reason.hpp>
#include <cue/typed_events.hpp>

namespace cue {

/// The loop's parameters, as Keras's `callback.params`.
struct loop_params {
  int epochs = 1;          ///< epochs the fit runs to (exclusive upper bound of the epoch index)
  std::size_t steps = 0;   ///< training batches per epoch; 0 when the data cannot say
  int initial_epoch = 0;   ///< the first epoch index of this fit
  int validation_freq = 1; ///< validation runs after epochs where (epoch + 1) % validation_freq == 0
  /// The names on_epoch_end's logs will hold, known from train begin (to check placeholders).
  std::span<const std::string_view> epoch_log_names{};
  /// The names on_train_batch_end's logs will hold.
  std::span<const std::string_view> batch_log_names{};
};

/// Where a resumed fit starts: at `epoch`, after its first `batch` batches (skipped, not run),
/// carrying on from `running`, the training sums those batches left (see run_state::running).
/// False until a callback sets it (a plain flag rather than std::optional: GCC 12 with the
/// sanitizers warns falsely about an optional holding a vector).
struct resume_point {
  bool requested = false;
  int epoch = 0;
  std::size_t batch = 0;
  std::vector<double> running{};
  [[nodiscard]] explicit operator bool() const noexcept { return requested; }
};

/// The training data of a fit when it keeps a state (a shuffling dataset: state_dict(),
/// load_state_dict(d), state_key()), so that backup_and_restore saves it without being told.
/// Type-erased: the dictionaries are `cue::state_dict`s (<cue/state.hpp>), which the loop does not
/// need to know.
struct stateful_data {
  void* object = nullptr;  ///< null when the data keeps no state
  std::string (*key)(const void* object) = nullptr;
  void (*save)(const void* object, void* state_dict) = nullptr;
  void (*load)(void* object, const void* state_dict) = nullptr;
};

/// The mutable state of one run of a loop. A user's own loop creates one and updates it as it goes.
struct run_state {
  loop_params params{};
  int epoch = 0;              ///< 0-based absolute epoch index
  std::size_t batch = 0;      ///< 0-based batch index within the epoch (or within evaluation)
  std::size_t step = 0;       ///< training batches completed in this fit before the current one
  bool validated = false;     ///< the current epoch's logs hold `val_*` values
  bool stop = false;          ///< a callback asked the loop to stop
  /// Why, and in the words of the callback that asked first (a later request changes neither).
  cue::stop_reason stop_reason = cue::stop_reason::not_stopped;
  std::string stop_message{};
  std::exception_ptr error{}; ///< set while `on_exception` runs
  /// Set by a callback in on_train_begin (backup_and_restore) to resume: fit starts there instead
  /// of at `initial_epoch`, with `step` as restored (Keras reads `_initial_epoch` the same way,
  /// after on_train_begin, but always from an epoch's first batch).
  resume_point resume{};
  /// During an epoch's batches, its training sums so far: each training log's sample-weighted
  /// sum, then the total weight (what the running means are made of, exactly; a mid-epoch backup
  /// saves it); after them, until on_epoch_end returns, the epoch's. In a distributed fit, the
  /// rank's own. Set by fit only for a callback that declares
  /// `using reads_running_sums = void;`; empty elsewhere.
  std::span<const double> running{};
  /// The hook runs on in_background's worker, on copies: a change to the learner would be lost.
  bool background = false;
  /// The fit's training data, when it keeps a state (set by fit).
  stateful_data training_data{};

  /// Asks the loop to stop; the first request of a run gives the reason and the message.
  void request_stop(cue::stop_reason reason, std::string message) {
    stop = true;
    if (stop_reason != cue::stop_reason::not_stopped) return;
    stop_reason = reason;
    stop_message = std::move(message);
  }
};

/// Delivers one event (a hook's tag or a typed event) to a callback; defined in <cue/callbacks.hpp>.
template <class Event, class C, class Ctx>
constexpr void emit(const Event& event, C& c, Ctx& ctx);

/// The argument of every hook: a view of the loop's state, the learner and this event's logs.
/// The loops hand hooks the derived `context<Learner, Logs, Root, Sender>` below, which can also
/// emit typed events; a hook may take either.
template <class Learner, class Logs, class Root = void, class Sender = void>
class context;

template <class Learner, class Logs>
class context<Learner, Logs, void, void> {
 public:
  using learner_type = Learner;
  using logs_type = Logs;

  constexpr context(run_state& state, Learner& learner, Logs& logs) noexcept
      : state_(&state), learner_(&learner), logs_(&logs) {}

  [[nodiscard]] constexpr int epoch() const noexcept { return state_->epoch; }
  [[nodiscard]] constexpr std::size_t batch() const noexcept { return state_->batch; }
  [[nodiscard]] constexpr std::size_t step() const noexcept { return state_->step; }
  /// This event's logs; writable, and later callbacks see what earlier ones wrote (as in Keras).
  [[nodiscard]] constexpr Logs& logs() const noexcept { return *logs_; }
  [[nodiscard]] constexpr Learner& learner() const noexcept { return *learner_; }
  [[nodiscard]] constexpr const loop_params& params() const noexcept { return state_->params; }
  /// Asks the loop to stop at its next stop check; nothing can cancel the request.
  void request_stop() const { request_stop(cue::stop_reason::requested, {}); }
  /// The same, saying why (`cue::stop_reason`) and in words a person reads (the summary shows
  /// them); the first request of a fit gives the reason.
  void request_stop(cue::stop_reason reason, std::string message) const {
    state_->request_stop(reason, std::move(message));
  }
  [[nodiscard]] constexpr bool stop_requested() const noexcept { return state_->stop; }
  /// The exception fit is aborting with (in `on_exception`); empty elsewhere.
  [[nodiscard]] std::exception_ptr exception() const noexcept { return state_->error; }
  /// The logs of this epoch hold `val_*` values (validation ran).
  [[nodiscard]] constexpr bool validated() const noexcept { return state_->validated; }
  /// The loop's state itself (for adapters that re-wrap the context).
  [[nodiscard]] constexpr run_state& state() const noexcept { return *state_; }

 private:
  run_state* state_;
  Learner* learner_;
  Logs* logs_;
};

/// A hook's context within a loop: beside the view above, the route to every callback of the loop
/// (`Root`, the loop's group), so that `ctx.emit(e)` delivers a typed event to every listener,
/// synchronously and in the callbacks' order. `Sender` is the callback whose hook this is (void
/// for a group); it may emit only the events it declares in `emits`.
template <class Learner, class Logs, class Root, class Sender>
class context : public context<Learner, Logs> {
 public:
  using root_type = Root;
  using sender_type = Sender;

  constexpr context(run_state& state, Learner& learner, Logs& logs, Root& root) noexcept
      : context<Learner, Logs>(state, learner, logs), root_(&root) {}

  /// Delivers `e` to every callback of the loop that listens to it, before returning.
  template <class Event>
  constexpr void emit(const Event& e) const {
    static_assert(!hook_event<Event>, "cue: ctx.emit sends typed events; a hook's event is the loop's to send");
    if constexpr (!std::is_void_v<Sender> && !detail::declares_emit<Sender, Event>) {
      detail::report_undeclared_emit<Sender, Event>();
    } else {
      context<Learner, Logs, Root> from_root(this->state(), this->learner(), this->logs(), *root_);
      cue::emit(e, *root_, from_root);
    }
  }
  /// Whether some callback of the loop listens to `Event` (to skip building one nobody hears).
  template <class Event>
  static constexpr bool heard = listens_to<Root, Event, context<Learner, Logs, Root>>;
  /// The loop's group of callbacks.
  [[nodiscard]] constexpr Root& root() const noexcept { return *root_; }
  /// The same context as seen by callback `C`'s hooks.
  template <class C>
  [[nodiscard]] constexpr context<Learner, Logs, Root, C> sent_by() const noexcept {
    return {this->state(), this->learner(), this->logs(), *root_};
  }

 private:
  Root* root_;
};

// `cue::context(state, learner, logs)` for a user's own loop, and with the loop's group as a
// fourth argument, a context whose hooks can emit typed events to the group.
template <class Learner, class Logs>
context(run_state&, Learner&, Logs&) -> context<Learner, Logs>;
template <class Learner, class Logs, class Root>
context(run_state&, Learner&, Logs&, Root&) -> context<Learner, Logs, Root>;

/// Sends the event `make()` returns when some callback of the loop listens to it; nothing (not
/// even the event is made) otherwise, or with a plain context, which has no listeners (a user's
/// loop that does not route events).
template <class Event, class Ctx, class Make>
constexpr void emit_if_heard(Ctx& ctx, Make&& make) {
  if constexpr (requires { Ctx::template heard<Event>; }) {
    if constexpr (Ctx::template heard<Event>) ctx.emit(Event(make()));
  }
}

/// The one rule of absent values: a `val_*` value is measured only on epochs where validation ran
/// (`validated`); every other value always is. For names known at run time (loggers).
[[nodiscard]] constexpr bool is_measured(std::string_view name, bool validated) noexcept {
  return validated || !name.starts_with("val_");
}

/// Whether this event's logs hold a measured value named `Name`. False at compile time for a name
/// the logs type lacks; for a `val_*` name, true only on epochs where validation ran (on the
/// others such values are NaN). Use it where Keras code would test `"val_loss" in logs`.
template <fixed_string Name, class Learner, class Logs>
[[nodiscard]] constexpr bool has_log(const context<Learner, Logs>& ctx) noexcept {
  if constexpr (!Logs::template contains<Name>)
    return false;
  else
    return is_measured(Name.view(), ctx.validated());
}

}  // namespace cue
