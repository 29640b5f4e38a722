// cue::stop_on_signal: SIGINT or SIGTERM asks for a clean stop after the current batch.
#pragma once

#include <signal.h>

#include <csignal>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include <cue/context.hpp>

namespace cue {

namespace detail {
// Set by the handler, read at each batch end: the only state a handler may touch.
inline volatile std::sig_atomic_t stop_signal_received = 0;
extern "C" inline void cue_record_stop_signal(int signal) { stop_signal_received = signal; }
}  // namespace detail

/// Options of `cue::stop_on_signal`.
struct stop_on_signal_options {
  std::vector<int> signals{SIGINT, SIGTERM};  ///< the signals that ask for a stop
};

/// Turns SIGINT (Ctrl-C) and SIGTERM (what a preempted machine or a scheduler sends) into a stop
/// request at the next batch end: validation, on_epoch_end (and so checkpoints and backups) and
/// on_train_end still run. The first signal restores the previous handlers, so a second one acts
/// as it would without cue (Ctrl-C twice quits at once). Handlers are installed at train begin and
/// restored at train end or on an exception.
///
/// Hooks: on_train_begin, on_train_batch_end, on_epoch_end, on_train_end, on_exception.
class stop_on_signal {
 public:
  using options = stop_on_signal_options;

  stop_on_signal() : stop_on_signal(options{}) {}
  explicit stop_on_signal(options opts) : opts_(std::move(opts)) {
    for (int s : opts_.signals)
      if (s <= 0 || s >= NSIG) throw std::invalid_argument("cue: stop_on_signal: no signal number " + std::to_string(s));
  }
  stop_on_signal(const stop_on_signal&) = delete;  // it owns process-wide handlers
  stop_on_signal& operator=(const stop_on_signal&) = delete;
  stop_on_signal(stop_on_signal&&) noexcept = default;  // the moved-from one holds none
  stop_on_signal& operator=(stop_on_signal&&) = delete;
  ~stop_on_signal() { restore(); }

  void on_train_begin(auto&) {
    detail::stop_signal_received = 0;
    received_ = 0;
    previous_.clear();
    for (int s : opts_.signals) {
      struct sigaction action {}, old {};
      action.sa_handler = detail::cue_record_stop_signal;
      sigemptyset(&action.sa_mask);
      action.sa_flags = SA_RESETHAND;  // the next signal gets the default action
      sigaction(s, &action, &old);
      previous_.push_back({s, old});
    }
  }
  void on_train_batch_end(auto& ctx) { check(ctx); }
  void on_epoch_end(auto& ctx) { check(ctx); }
  void on_train_end(auto&) { restore(); }
  void on_exception(auto&) { restore(); }

  /// The signal that asked the last fit to stop; 0 if none did.
  [[nodiscard]] int received() const noexcept { return received_; }

 private:
  void check(auto& ctx) {
    if (detail::stop_signal_received == 0) return;
    received_ = detail::stop_signal_received;
    restore();  // a second signal acts as without cue
    ctx.state().interrupted = true;
    ctx.request_stop();
  }
  void restore() {
    for (auto& [s, old] : previous_) sigaction(s, &old, nullptr);
    previous_.clear();
  }

  struct saved {
    int signal;
    struct sigaction action;
  };
  options opts_;
  std::vector<saved> previous_;
  int received_ = 0;
};

}  // namespace cue
