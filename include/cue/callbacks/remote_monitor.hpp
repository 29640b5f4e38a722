// cue::remote_monitor: Keras's RemoteMonitor: the epoch's logs POSTed to a server at every epoch
// end, off the training thread. Needs libcurl (CMake target cue::http).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <iostream>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/http/curl_transport.hpp>
#include <cue/http/transport.hpp>
#include <cue/io/write_queue.hpp>
#include <cue/options.hpp>
#include <cue/python_format.hpp>

namespace cue {

/// Options of `cue::remote_monitor`: Keras's, in Keras's order, then cue's.
struct remote_monitor_options {
  std::string root = "http://localhost:9000";
  std::string path = "/publish/epoch/end/";
  std::string field = "data";  ///< the form field that holds the JSON (form mode)
  std::vector<std::pair<std::string, std::string>> headers{};  ///< sent in this order
  bool send_as_json = false;   ///< a JSON body instead of a form
  /// cue's: how long one POST may take (Keras has none, so a silent server hangs it); 0: no limit.
  std::chrono::duration<double> timeout{10.0};
  /// cue's: at train end, how long to wait for posts still queued before reporting them undelivered.
  std::chrono::duration<double> drain_timeout{10.0};
  /// cue's: posts waiting for the server; when full, the oldest is dropped (and counted as failed).
  std::size_t queue_capacity = 64;
  std::ostream* log = &std::cerr;  ///< cue's: where failures are reported (nothing when null)
};

template <std::same_as<remote_monitor_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("remote_monitor_options", field{"root", &O::root},
                  field{"path", &O::path}, field{"field", &O::field},
                  field{"headers", &O::headers},
                  field{"send_as_json", &O::send_as_json},
                  field{"timeout", &O::timeout},
                  field{"drain_timeout", &O::drain_timeout},
                  field{"queue_capacity", &O::queue_capacity});
}

/// POSTs, at every epoch end, what Keras's RemoteMonitor posts to `root + path`:
/// `{"epoch": <0-based>, <every log>}` (logs sorted by name, as Keras's; `val_*` only when measured),
/// numbers as Python's repr, as json.dumps writes them. Form mode (the default): the body is
/// `<field>=<that JSON, form-encoded>` (`Content-Type: application/x-www-form-urlencoded`), a
/// non-finite value written `NaN` or `Infinity` as Python does. JSON mode (`send_as_json`): the
/// JSON itself (`application/json`), with a non-finite value as `null`: JSON has no NaN, and
/// Keras's requests refuses to send it and blames the server.
///
/// Posts run in order on a worker thread, each bounded by `.timeout`, so a slow or silent server
/// does not slow training; at most `.queue_capacity` wait, and when full the oldest is dropped. A failure (refused, timed out, an HTTP error status) is a warning on
/// `.log` naming the URL and the cause, never an exception into training. At train end (and on
/// exception) it waits up to `.drain_timeout` for the queue, then reports how many posts were not
/// delivered. `Transport` is any `cue::http::transport` (libcurl's by default).
///
/// Hooks: on_epoch_end, on_train_end, on_exception.
template <http::transport Transport = http::curl_transport>
class remote_monitor {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = remote_monitor_options;

  explicit remote_monitor(options opts = {}, Transport transport = {})
      : opts_(std::move(opts)), transport_(std::move(transport)) {
    if (opts_.root.empty()) throw std::invalid_argument("cue: remote_monitor: root is empty");
    if (opts_.timeout.count() < 0 || opts_.drain_timeout.count() < 0)
      throw std::invalid_argument("cue: remote_monitor: timeout and drain_timeout must be >= 0 seconds");
  }
  remote_monitor(remote_monitor&& other) noexcept
      : opts_(std::move(other.opts_)), transport_(std::move(other.transport_)),
        queue_(opts_.queue_capacity, io::when_full::drop_oldest) {}
  ~remote_monitor() { queue_.discard(); }  // the post under way ends by its timeout

  void on_epoch_end(auto& ctx) {
    http::request r{opts_.root + opts_.path, opts_.headers, {}, {}, opts_.timeout};
    const std::string json = payload(ctx, !opts_.send_as_json);
    if (opts_.send_as_json) {
      r.content_type = "application/json";
      r.body = json;
    } else {
      r.content_type = "application/x-www-form-urlencoded";
      r.body = http::form_encoded(opts_.field) + "=" + http::form_encoded(json);
    }
    queue_.post([this, r = std::move(r)] { send(r); });
  }
  void on_train_end(auto&) { drain(); }
  void on_exception(auto&) { drain(); }

  /// Posts the server answered with a 2xx status, and those that failed, so far.
  [[nodiscard]] std::size_t delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  [[nodiscard]] std::size_t failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }
  [[nodiscard]] Transport& transport() noexcept { return transport_; }

 private:
  // {"epoch": 3, "accuracy": 0.91, "loss": 0.25}: json.dumps's spacing, Python's float repr.
  template <class Ctx>
  static std::string payload(const Ctx& ctx, bool python_non_finite) {
    const auto& logs = ctx.logs();
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < logs.names.size(); ++i)
      if (is_measured(logs.names[i], ctx.validated())) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return logs.names[a] < logs.names[b]; });
    std::string out = "{\"epoch\": ";
    out += std::to_string(ctx.epoch());
    for (const auto i : order) {
      out += ", \"";
      for (char c : logs.names[i]) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += "\": ";
      const double v = logs.values[i];
      if (std::isfinite(v)) out += python_repr(v);
      else if (!python_non_finite) out += "null";
      else out += std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
    }
    out += '}';
    return out;
  }

  // On the worker: one POST; whatever happens is counted, and a failure reported, never thrown.
  void send(const http::request& r) {
    std::string problem;
    try {
      const http::response answer = transport_.post(r);
      if (!answer.answered()) problem = answer.error;
      else if (!answer.ok()) problem = "the server answered HTTP " + std::to_string(answer.status);
    } catch (const std::exception& e) {
      problem = e.what();
    } catch (...) {
      problem = "an exception not derived from std::exception";
    }
    std::lock_guard lock(mutex_);
    if (problem.empty()) {
      ++delivered_;
      return;
    }
    ++failed_;
    if (opts_.log) *opts_.log << "cue: remote_monitor: could not post to " << r.url << ": " << problem << "\n";
  }

  void drain() {
    const std::size_t left = queue_.wait_for(opts_.drain_timeout) ? 0 : queue_.discard();
    const std::size_t dropped = queue_.dropped() - dropped_reported_;
    dropped_reported_ += dropped;
    std::lock_guard lock(mutex_);
    failed_ += left + dropped;
    if (opts_.log && left + dropped > 0)
      *opts_.log << "cue: remote_monitor: " << left + dropped << " posts to " << opts_.root << opts_.path
                 << " not delivered by the end of training (" << dropped << " dropped from a full queue, "
                 << left << " still queued after drain_timeout)\n";
  }

  options opts_;
  Transport transport_;  // used by the worker only
  mutable std::mutex mutex_;
  std::size_t delivered_ = 0, failed_ = 0, dropped_reported_ = 0;
  io::write_queue queue_{opts_.queue_capacity, io::when_full::drop_oldest};  // last: its worker stops before the members it uses go
};

}  // namespace cue
