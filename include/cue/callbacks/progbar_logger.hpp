// cue::progbar_logger: Keras's progress bar on a terminal, one line per epoch in a file or pipe.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <iostream>
#include <ostream>
#include <string>
#include <type_traits>
#include <string_view>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/progbar_number.hpp>
#include <cue/progress.hpp>

namespace cue {

/// Options of `cue::progbar_logger`.
struct progbar_logger_options {
  /// 1: the animated bar; 2: one line per epoch; -1 (auto): the bar when the stream is a
  /// terminal, one line per epoch when it is a file or a pipe (a log stays readable).
  int verbose = -1;
  int width = 30;          ///< characters of the bar
  double interval = 0.05;  ///< seconds between redraws of the bar
  /// Seconds on a monotonic clock; replace it to make the output reproducible.
  std::function<double()> clock = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
};

/// The fields of progbar_logger_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<progbar_logger_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("progbar_logger_options",
                  field{"verbose", &O::verbose},
                  field{"width", &O::width},
                  field{"interval", &O::interval});
}

/// Prints training progress as Keras 3's ProgbarLogger: "Epoch 3/10" (when there is more than one
/// epoch), then the bar
/// `  32/1875 ━━━━━━━━━━━━━━━━━━━━ 1:23 45ms/step - accuracy: 0.5000 - loss: 1.2345`
/// redrawn in place, finished at epoch end with the elapsed time and the epoch logs (`val_*`
/// included); or, in line mode, `1875/1875 - 3s - 2ms/step - accuracy: 0.8234 - loss: 0.4960`
/// once per epoch. Metrics are sorted by name, shown with 4 decimals (or as 4-digit scientific
/// below 1e-3). Validation inside fit is silent, as in Keras.
///
/// Hooks: on_train_begin, on_epoch_begin, on_train_batch_end, on_epoch_end, on_train_end (prints
/// why the fit stopped early, when a callback said).
class progbar_logger {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = progbar_logger_options;
  using shows_progress = void;  // fit adds no display of its own beside it

  explicit progbar_logger(std::ostream& out = std::cout, options opts = {})
      : out_(&out), opts_(std::move(opts)) {
    bar_mode_ = opts_.verbose == 1 || (opts_.verbose < 0 && is_terminal(out));
  }

  void on_train_begin(auto& ctx) {
    epochs_ = ctx.params().epochs;
    target_ = ctx.params().steps;
  }

  void on_epoch_begin(auto& ctx) {
    if (epochs_ > 1) *out_ << "Epoch " << ctx.epoch() + 1 << '/' << epochs_ << '\n';
    start_ = opts_.clock();
    last_update_ = -INFINITY;
    prev_width_ = 0;
    seen_ = 0;
  }

  void on_train_batch_end(auto& ctx) {
    seen_ = ctx.batch() + 1;
    if (!bar_mode_) return;
    const double now = opts_.clock();
    if (now - last_update_ < opts_.interval) return;
    last_update_ = now;
    draw(detail::erase_logs(ctx.logs()), now, false);
  }

  /// Why the fit stopped early, in the words of the callback that stopped it.
  void on_train_end(auto& ctx) {
    const auto& state = ctx.state();
    if (state.stop_reason != stop_reason::not_stopped && !state.stop_message.empty())
      *out_ << state.stop_message << '\n' << std::flush;
  }

  void on_epoch_end(auto& ctx) {
    const double now = opts_.clock();
    if (target_ == 0) target_ = seen_;  // unsized data: learnt from the first epoch
    if (bar_mode_) {
      draw(detail::erase_logs(ctx.logs()), now, true, ctx.validated());
    } else {
      *out_ << count(seen_) << " - " << seconds(now - start_) << " -" << per_step(now);
      write_metrics(*out_, detail::erase_logs(ctx.logs()), ctx.validated());
      *out_ << '\n';
    }
    out_->flush();
  }

 private:
  static bool is_terminal(const std::ostream& out) {
    if (&out == &std::cout) return is_terminal(STDOUT_FILENO);
    if (&out == &std::cerr || &out == &std::clog) return is_terminal(STDERR_FILENO);
    return false;
  }
  // Under OpenMPI's mpirun, a rank's standard streams are pseudo-terminals wherever mpirun's own
  // output goes (a log file too); the stream that decides is then mpirun's, the rank's parent's
  // on mpirun's node. Where that cannot be read (a rank started by a remote daemon), a line per
  // epoch, which reads well anywhere.
  static bool is_terminal(int fd) {
    if (::isatty(fd) != 1) return false;
    if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr) return true;
    char link[64], target[256];
    std::snprintf(link, sizeof link, "/proc/%ld/fd/%d", static_cast<long>(::getppid()), fd);
    const ssize_t n = ::readlink(link, target, sizeof target - 1);
    if (n <= 0) return false;
    const std::string_view where(target, static_cast<std::size_t>(n));
    return where.starts_with("/dev/pts/") || where.starts_with("/dev/tty");
  }

  std::string count(std::size_t current) const {
    if (target_ == 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%7zu/Unknown", current);
      return buf;
    }
    const int digits = static_cast<int>(std::log10(static_cast<double>(target_))) + 1;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%*zu/%zu", digits, current, target_);
    return buf;
  }

  static std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0fs", s);
    return buf;
  }

  // Keras's Progbar._format_time.
  std::string per_step(double now) const {
    const double t = seen_ > 0 ? (now - start_) / static_cast<double>(seen_) : 0.0;
    char buf[48];
    if (t >= 1 || t == 0)
      std::snprintf(buf, sizeof buf, " %.0fs/step", t);
    else if (t >= 1e-3)
      std::snprintf(buf, sizeof buf, " %.0fms/step", t * 1e3);
    else
      std::snprintf(buf, sizeof buf, " %.0fus/step", t * 1e6);
    return buf;
  }

  // Writes " - name: value" for each measured log, sorted by name; returns the columns written.
  // On run-time logs, so that the bar's code is compiled once per program, whatever the logs'
  // types (fit's display uses it too).
  static std::size_t write_metrics(std::ostream& out, const detail::erased_logs& logs, bool validated) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < logs.names.size(); ++i)
      if (is_measured(logs.names[i], validated)) order.push_back(i);
    for (std::size_t i = 1; i < order.size(); ++i)  // by name; an insertion sort, as there are few
      for (std::size_t j = i; j > 0 && logs.names[order[j]] < logs.names[order[j - 1]]; --j)
        std::swap(order[j], order[j - 1]);
    std::size_t columns = 0;
    for (std::size_t i : order) {
      const std::string value = progbar_number(logs.values[i]);
      out << " - " << logs.names[i] << ": " << value;
      columns += 5 + logs.names[i].size() + value.size();
    }
    return columns;
  }

  // Written to the stream piece by piece, with the columns counted as they go: building the line
  // in strings first made this the costliest function to compile in cue.hpp.
  void draw(const detail::erased_logs& logs, double now, bool finalize, bool validated = false) {
    char timing[32];
    if (target_ > 0 && !finalize) {
      const double eta = (now - start_) / static_cast<double>(seen_) *
                         static_cast<double>(target_ - (seen_ < target_ ? seen_ : target_));
      if (eta > 3600)
        std::snprintf(timing, sizeof timing, " %d:%02d:%02d", static_cast<int>(eta / 3600),
                      static_cast<int>(std::fmod(eta, 3600) / 60), static_cast<int>(std::fmod(eta, 60)));
      else if (eta > 60)
        std::snprintf(timing, sizeof timing, " %d:%02d", static_cast<int>(eta / 60),
                      static_cast<int>(std::fmod(eta, 60)));
      else
        std::snprintf(timing, sizeof timing, " %ds", static_cast<int>(eta));
    } else {
      std::snprintf(timing, sizeof timing, " %s", seconds(now - start_).c_str());
    }
    const std::string counted = count(seen_), step = per_step(now);
    std::size_t filled = 0, left = 0;
    if (target_ > 0) {
      filled = static_cast<std::size_t>(opts_.width * static_cast<double>(seen_) / static_cast<double>(target_));
      const auto whole = static_cast<std::size_t>(opts_.width);
      left = filled < whole ? whole - filled : 0;
    }
    std::ostream& out = *out_;
    out << "\r\x1b[1m" << counted << "\x1b[0m ";
    if (target_ > 0) {
      if (filled > 0) out << "\x1b[32m", repeat(out, "━", filled), out << "\x1b[0m";
      out << "\x1b[37m", repeat(out, "━", left), out << "\x1b[0m";
    }
    out << timing << step;
    // Columns shown: the escape sequences take none, and each '━' (3 bytes in UTF-8) one.
    const std::size_t width = counted.size() + 1 + filled + left + std::strlen(timing) + step.size() +
                              write_metrics(out, logs, finalize && validated);
    if (prev_width_ > width) repeat(out, " ", prev_width_ - width);  // clears the longer line before
    prev_width_ = width;
    if (finalize) out << '\n';
    out.flush();
  }

  static void repeat(std::ostream& out, const char* text, std::size_t times) {
    for (; times > 0; --times) out << text;
  }

  std::ostream* out_;
  options opts_;
  bool bar_mode_ = false;
  int epochs_ = 0;
  std::size_t target_ = 0, seen_ = 0, prev_width_ = 0;
  double start_ = 0, last_update_ = 0;
};

namespace detail {
// fit's display for fit_options.verbose: a progbar_logger on standard output, fed through
// run_state and run-time logs.
class progbar_display final : public progress_display {
 public:
  explicit progbar_display(int verbose) : bar_(std::cout, {.verbose = verbose}) {}
  void train_begin(run_state& s, const erased_logs& l) override { show(s, l, [&](auto& c) { bar_.on_train_begin(c); }); }
  void epoch_begin(run_state& s, const erased_logs& l) override { show(s, l, [&](auto& c) { bar_.on_epoch_begin(c); }); }
  void train_batch_end(run_state& s, const erased_logs& l) override { show(s, l, [&](auto& c) { bar_.on_train_batch_end(c); }); }
  void epoch_end(run_state& s, const erased_logs& l) override { show(s, l, [&](auto& c) { bar_.on_epoch_end(c); }); }
  void train_end(run_state& s, const erased_logs& l) override { show(s, l, [&](auto& c) { bar_.on_train_end(c); }); }

 private:
  // The bar's hook, with a context over the loop's state and the run-time logs (it reads no learner).
  template <class Hook>
  static void show(run_state& s, const erased_logs& l, Hook hook) {
    context<const erased_logs, const erased_logs> ctx(s, l, l);
    hook(ctx);
  }
  progbar_logger bar_;
};

// Including this header gives fit its display (progress.hpp).
inline const bool progbar_is_fits_display = (make_progress_display = [](int verbose) -> progress_display* {
  return new progbar_display(verbose);
}, true);
}  // namespace detail

}  // namespace cue
