// cue::heartbeat: a dead-man's switch. The run pings a monitoring URL at its start, every
// `interval` while batches complete, and at its end (or failure); when the pings stop (the job was
// killed, a rank died and the others wait forever, a batch hangs), the monitoring side alerts.
// Needs libcurl (CMake target cue::http).
#pragma once

#include <chrono>
#include <concepts>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>

#include <cue/context.hpp>
#include <cue/http/curl_transport.hpp>
#include <cue/http/transport.hpp>
#include <cue/options.hpp>
#include <cue/python_format.hpp>
#include <cue/redact.hpp>
#include <cue/reporter.hpp>
#include <cue/utf8.hpp>
#include <cue/worker.hpp>

namespace cue {

/// Options of `cue::heartbeat`. The suffixes are healthchecks.io's (and its self-hosted and
/// compatible services'): `<url>/start`, `<url>` for success, `<url>/fail`.
struct heartbeat_options {
  std::string url{};                             ///< the check's ping URL: a secret (cue::secret_from_env)
  std::chrono::duration<double> interval{60.0};  ///< at most one ping per interval while batches complete
  std::string start_suffix = "/start";           ///< appended to `url` for the start; empty: no start ping
  std::string fail_suffix = "/fail";             ///< appended to `url` when the fit throws
  std::chrono::duration<double> timeout{10.0};   ///< how long one ping may take
  /// At train end (and on exception), how long the last ping may hold the end of training.
  std::chrono::duration<double> drain_timeout{10.0};
  std::ostream* log = &std::cerr;  ///< where failed pings are reported (nothing when null)
  /// The clock the interval is measured on (injectable, for tests).
  std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
};

template <std::same_as<heartbeat_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("heartbeat_options", field{"interval", &O::interval}, field{"start_suffix", &O::start_suffix},
                  field{"fail_suffix", &O::fail_suffix}, field{"timeout", &O::timeout},
                  field{"drain_timeout", &O::drain_timeout});
}

/// POSTs to `.url + .start_suffix` at train begin; to `.url` at the end of a training or
/// validation batch and at an epoch's end when `.interval` has passed since the last ping, and at
/// train end (every epoch ran, or early stopping, a time limit or a callback stopped it: a
/// success); and to `.url + .fail_suffix` when the fit throws (with the exception's message, at
/// most 10 KB) or a signal, a non-finite loss or metric, or divergence stopped it. Each body is one
/// line of plain text saying where the run is (`epoch 3/10, batch 120`, `ended after epoch 10/10`).
///
/// The pings come from the training thread's batch ends, so a run that hangs (a batch that never
/// ends, a rank waiting for one that died) stops pinging, as a killed one does: that silence is
/// what the monitoring side alerts on (set its grace time above `.interval` plus the longest
/// batch or validation). They are sent in order on a cue::worker, each bounded by `.timeout`; at
/// most 8 wait (then the oldest waiting is dropped), so a slow server never piles them up or slows
/// training. A failed ping is a warning on `.log` naming the URL redacted, never an exception
/// into training; at train end and on exception the last ping may take `.drain_timeout`, then
/// it is cancelled and reported. `Transport` is any `cue::http::transport` (libcurl's by default).
///
/// Hooks: on_train_begin, on_train_batch_end, on_test_batch_end, on_epoch_end, on_train_end,
/// on_exception.
template <http::transport Transport = http::curl_transport>
class heartbeat {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = heartbeat_options;

  explicit heartbeat(options opts, Transport transport = {})
      : opts_(std::move(opts)), channel_(make_channel(opts_, std::move(transport))), worker_(worker_options_of(opts_)) {
    if (opts_.url.empty()) throw std::invalid_argument("cue: heartbeat: url is empty");
    if (!(opts_.interval.count() > 0)) throw std::invalid_argument("cue: heartbeat: interval must be > 0 seconds");
    if (opts_.timeout.count() < 0 || opts_.drain_timeout.count() < 0)
      throw std::invalid_argument("cue: heartbeat: timeout and drain_timeout must be >= 0 seconds");
    if (!opts_.now) throw std::invalid_argument("cue: heartbeat: now (the clock) is empty");
  }
  heartbeat(heartbeat&& other) noexcept
      : opts_(std::move(other.opts_)), channel_(std::move(other.channel_)), worker_(worker_options_of(opts_)) {}
  ~heartbeat() {
    worker_.close();
    if (channel_) channel_->say->silence();  // a ping left running writes nothing after
  }

  void on_train_begin(auto& ctx) {
    epochs_ = ctx.params().epochs;
    last_ = opts_.now();
    if (!opts_.start_suffix.empty())
      ping(opts_.url + opts_.start_suffix, "started: " + std::to_string(epochs_) + " epochs planned");
  }
  void on_train_batch_end(auto& ctx) {
    if (due()) ping(opts_.url, where(ctx) + ", batch " + std::to_string(ctx.batch() + 1));
  }
  void on_test_batch_end(auto& ctx) {
    if (due()) ping(opts_.url, where(ctx) + ", validation batch " + std::to_string(ctx.batch() + 1));
  }
  void on_epoch_end(auto& ctx) {
    if (due()) ping(opts_.url, where(ctx) + " ended");
  }
  void on_train_end(auto& ctx) {
    ping(failed(ctx.state().stop_reason) ? opts_.url + opts_.fail_suffix : opts_.url, ended_text(ctx));
    drain();
  }
  void on_exception(auto& ctx) {
    std::string what = "an exception not derived from std::exception";
    try {
      std::rethrow_exception(ctx.exception());
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {  // NOLINT(bugprone-empty-catch): described above
    }
    if (what.size() > 10000) what.resize(10000);
    ping(opts_.url + opts_.fail_suffix, "failed at " + where(ctx) + ": " + replaced_utf8(what));
    drain();
  }

  /// Pings the server answered with a 2xx status; pings not delivered (failed, dropped behind a
  /// slow server, cancelled).
  [[nodiscard]] std::size_t delivered() const { return worker_.counts().done; }
  [[nodiscard]] std::size_t failed() const {
    const auto c = worker_.counts();
    return c.failed + c.dropped + c.cancelled;
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  // What the worker's tasks use, shared with them, so that a ping left to finish alone has it.
  struct channel {
    Transport transport;
    std::shared_ptr<reporter> say;
    bool send(const http::request& r, std::stop_token stop) {
      const std::string problem = http::post_problem(transport, r, stop);
      if (problem.empty()) return true;
      if (!stop.stop_requested()) (*say)("could not ping " + redacted(r.url) + ": " + problem);
      return false;
    }
  };
  static std::shared_ptr<channel> make_channel(const options& o, Transport transport) {
    return std::make_shared<channel>(channel{std::move(transport), reporter::make("heartbeat", o.log, {o.url})});
  }
  // A few waiting pings at most: behind a slow server the oldest waiting goes, never training's time.
  static worker_options worker_options_of(const options& o) {
    return {.capacity = 8, .policy = when_full::drop_oldest, .drain_timeout = o.drain_timeout};
  }

  // A run stopped by a signal, a non-finite value or divergence did not do what it was for.
  static bool failed(stop_reason r) noexcept {
    return r == stop_reason::signal || r == stop_reason::non_finite_loss || r == stop_reason::non_finite_metric ||
           r == stop_reason::divergence_threshold;
  }
  // An interval has passed since the last ping (the clock is read once per batch).
  bool due() {
    const auto now = opts_.now();
    if (now - last_ < opts_.interval) return false;
    last_ = now;
    return true;
  }
  void ping(const std::string& url, std::string text) {
    http::request r{url, {}, "text/plain; charset=utf-8", std::move(text), opts_.timeout};
    worker_.post([c = channel_, r = std::move(r)](std::stop_token stop) { return c->send(r, stop); });
  }
  // "epoch 3/10": where the run is (1-based, as Keras prints it).
  std::string where(auto& ctx) const {
    return "epoch " + std::to_string(ctx.epoch() + 1) + "/" + std::to_string(epochs_);
  }
  std::string ended_text(auto& ctx) const {
    const auto& s = ctx.state();
    std::string out = "ended after epoch " + std::to_string(ctx.epoch() + 1) + "/" + std::to_string(epochs_);
    if (s.stop_reason != stop_reason::not_stopped) out += ", stopped: " + std::string(name(s.stop_reason));
    return out;
  }
  void drain() {
    const worker_end end = worker_.finish();
    if (!end.complete())
      (*channel_->say)("the last ping did not end within drain_timeout (" +
                       python_format_value(opts_.drain_timeout.count(), "g") + " s); it was cancelled");
  }

  options opts_;
  std::shared_ptr<channel> channel_;
  int epochs_ = 0;
  std::chrono::steady_clock::time_point last_{};
  worker worker_;  // last: it ends before the members above go
};

}  // namespace cue
