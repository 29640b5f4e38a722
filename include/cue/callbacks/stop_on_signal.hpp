// cue::stop_on_signal: SIGINT or SIGTERM asks for a clean stop after the current batch.
#pragma once

#include <signal.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/run_events.hpp>

namespace cue {

namespace detail {
// Process-wide, as signal handlers are: how many stop_on_signal instances watch each signal, and
// the handler cue's replaced, restored exactly when the last of them is done, whatever the order
// in which overlapping or nested fits end. The handler only counts: lock-free atomics are safe in
// a signal handler.
inline std::array<std::atomic<unsigned>, NSIG> stop_signals_seen{};
extern "C" inline void cue_record_stop_signal(int signal) { ++stop_signals_seen[static_cast<std::size_t>(signal)]; }

class stop_signal_registry {
 public:
  static void acquire(const std::vector<int>& signals) {
    std::lock_guard lock(get().mutex_);
    for (int s : signals) get().acquire_one(s);
  }
  static void release(const std::vector<int>& signals) {
    std::lock_guard lock(get().mutex_);
    for (int s : signals) get().release_one(s);
  }
  // After a signal: the previous handlers again, so a second signal acts as without cue.
  static void give_back_all() {
    std::lock_guard lock(get().mutex_);
    for (int s = 1; s < NSIG; ++s) get().give_back(s);
  }

 private:
  static stop_signal_registry& get() {
    static stop_signal_registry r;
    return r;
  }
  void acquire_one(int s) {
    ++users_[static_cast<std::size_t>(s)];
    if (held_[static_cast<std::size_t>(s)]) return;
    struct sigaction action {};
    action.sa_handler = cue_record_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;  // a second signal before the loop sees the first: the default
    sigaction(s, &action, &previous_[static_cast<std::size_t>(s)]);
    held_[static_cast<std::size_t>(s)] = true;
  }
  void release_one(int s) {
    if (--users_[static_cast<std::size_t>(s)] == 0) give_back(s);
  }
  void give_back(int s) {
    if (!held_[static_cast<std::size_t>(s)]) return;
    sigaction(s, &previous_[static_cast<std::size_t>(s)], nullptr);
    held_[static_cast<std::size_t>(s)] = false;
  }

  std::mutex mutex_;
  std::array<int, NSIG> users_{};
  std::array<bool, NSIG> held_{};
  std::array<struct sigaction, NSIG> previous_{};
};
}  // namespace detail

/// Options of `cue::stop_on_signal`.
struct stop_on_signal_options {
  std::vector<int> signals{SIGINT, SIGTERM};  ///< the signals that ask for a stop
};

/// Turns SIGINT (Ctrl-C) and SIGTERM (what a preempted machine or a scheduler sends) into a stop
/// request at the next batch end: validation, on_epoch_end (and so checkpoints and backups) and
/// on_train_end still run. The first signal restores the previous handlers, so a second one acts
/// as it would without cue (Ctrl-C twice quits at once). Handlers are installed at train begin and
/// restored at train end or on an exception; with several fits at once (nested, or on other
/// threads) the handlers cue replaced come back when the last of them ends, and a signal stops
/// every one of them.
///
/// Hooks: on_train_begin, on_train_batch_end, on_epoch_end, on_train_end, on_exception.
class stop_on_signal {
 public:
  using options = stop_on_signal_options;
  using emits = cue::emits<signal_received>;  // backup_and_restore then keeps its backups

  stop_on_signal() : stop_on_signal(options{}) {}
  explicit stop_on_signal(options opts) : opts_(std::move(opts)) {
    for (int s : opts_.signals)
      if (s <= 0 || s >= NSIG) throw std::invalid_argument("cue: stop_on_signal: no signal number " + std::to_string(s));
  }
  stop_on_signal(const stop_on_signal&) = delete;  // it owns process-wide handlers
  stop_on_signal& operator=(const stop_on_signal&) = delete;
  stop_on_signal(stop_on_signal&& other) noexcept
      : opts_(std::move(other.opts_)), seen_(other.seen_), active_(std::exchange(other.active_, false)),
        received_(other.received_) {}
  stop_on_signal& operator=(stop_on_signal&&) = delete;
  ~stop_on_signal() { restore(); }

  void on_train_begin(auto&) {
    restore();  // a fit that threw before its end left them
    received_ = 0;
    for (std::size_t i = 0; i < seen_.size(); ++i) seen_[i] = detail::stop_signals_seen[i].load();
    detail::stop_signal_registry::acquire(opts_.signals);
    active_ = true;
  }
  void on_train_batch_end(auto& ctx) { check(ctx); }
  void on_epoch_end(auto& ctx) { check(ctx); }
  void on_train_end(auto&) { restore(); }
  void on_exception(auto&) { restore(); }

  /// The signal that asked the last fit to stop; 0 if none did.
  [[nodiscard]] int received() const noexcept { return received_; }

 private:
  void check(auto& ctx) {
    if (!active_) return;
    for (int s : opts_.signals) {
      if (detail::stop_signals_seen[static_cast<std::size_t>(s)].load() == seen_[static_cast<std::size_t>(s)]) continue;
      received_ = s;
      detail::stop_signal_registry::give_back_all();  // a second signal acts as without cue
      emit_if_heard<signal_received>(ctx, [s] { return signal_received{s}; });
      ctx.request_stop(stop_reason::signal, "Received " + signal_name(s) + ": stopping after this batch, as asked");
      return;
    }
  }
  static std::string signal_name(int s) {
    if (s == SIGINT) return "SIGINT";
    if (s == SIGTERM) return "SIGTERM";
    return "signal " + std::to_string(s);
  }
  void restore() {
    if (!active_) return;
    detail::stop_signal_registry::release(opts_.signals);
    active_ = false;
  }

  options opts_;
  std::array<unsigned, NSIG> seen_{};  // each signal's count when this fit began
  bool active_ = false;
  int received_ = 0;
};

}  // namespace cue
