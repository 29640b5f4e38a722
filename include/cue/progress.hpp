// What fit shows for fit_options.verbose (Keras's progress bar), behind one virtual call per
// event: <cue/fit.hpp> includes only this; <cue/callbacks/progbar_logger.hpp>, which holds the bar
// and its heavier headers, makes it available to fit by including it (as <cue/cue.hpp> does).
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <cue/context.hpp>

namespace cue {

/// fit_options.verbose's automatic value (Keras's "auto"): the progress bar on a terminal, one
/// line per epoch in a file or pipe, nothing when the program has no progress bar to show.
inline constexpr int verbose_auto = -1;

namespace detail {

// A record of logs whose names are known at run time only: what the progress display reads.
struct erased_logs {
  std::span<const std::string_view> names;
  std::span<const double> values;
};

// The run-time view of a record of logs (cue::logs and alike: `names` and `values` arrays).
template <class Logs>
erased_logs erase_logs(const Logs& logs) noexcept {
  return {logs.names, logs.values};
}

// The progress display behind fit's verbose (the events that progbar_logger handles).
class progress_display {
 public:
  virtual ~progress_display() = default;
  virtual void train_begin(run_state& state, const erased_logs& logs) = 0;
  virtual void epoch_begin(run_state& state, const erased_logs& logs) = 0;
  virtual void train_batch_end(run_state& state, const erased_logs& logs) = 0;
  virtual void epoch_end(run_state& state, const erased_logs& logs) = 0;
  virtual void train_end(run_state& state, const erased_logs& logs) = 0;
};

// Set when <cue/callbacks/progbar_logger.hpp> is part of the program; the caller owns the display
// (a raw pointer: <memory> would cost every includer of <cue/fit.hpp> a tenth of a second).
inline progress_display* (*make_progress_display)(int verbose) = nullptr;

// Whether fit shows a display for `verbose`: not for 0, nor for automatic when the program has
// no progress bar; an explicit 1 or 2 without one is an error.
inline bool shows_display(int verbose) {
  if (verbose == 0) return false;
  if (make_progress_display != nullptr) return true;
  if (verbose == verbose_auto) return false;
  throw std::invalid_argument("cue: fit_options.verbose = " + std::to_string(verbose) +
                              " shows Keras's progress bar, which lives in "
                              "<cue/callbacks/progbar_logger.hpp> (included by <cue/cue.hpp>); "
                              "include it, or set .verbose = 0");
}

// The callback fit adds for verbose: forwards the display's events.
class fit_progress {
 public:
  explicit fit_progress(progress_display& display) noexcept : display_(&display) {}
  void on_train_begin(auto& ctx) { display_->train_begin(ctx.state(), erase_logs(ctx.logs())); }
  void on_epoch_begin(auto& ctx) { display_->epoch_begin(ctx.state(), erase_logs(ctx.logs())); }
  void on_train_batch_end(auto& ctx) { display_->train_batch_end(ctx.state(), erase_logs(ctx.logs())); }
  void on_epoch_end(auto& ctx) { display_->epoch_end(ctx.state(), erase_logs(ctx.logs())); }
  void on_train_end(auto& ctx) { display_->train_end(ctx.state(), erase_logs(ctx.logs())); }

 private:
  progress_display* display_;
};

}  // namespace detail
}  // namespace cue
