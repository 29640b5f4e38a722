// cue::remote_monitor: Keras's RemoteMonitor: the epoch's logs POSTed to a server at every epoch
// end, off the training thread. Needs libcurl (CMake target cue::http).
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <iostream>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/http/curl_transport.hpp>
#include <cue/http/transport.hpp>
#include <cue/json.hpp>
#include <cue/options.hpp>
#include <cue/redact.hpp>
#include <cue/reporter.hpp>
#include <cue/worker.hpp>

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
/// numbers as Python's repr, as json.dumps writes them (cue::json::python_object). Form mode (the
/// default): the body is `<field>=<that JSON, form-encoded>` (`Content-Type:
/// application/x-www-form-urlencoded`), a non-finite value written `NaN` or `Infinity` as Python
/// does. JSON mode (`send_as_json`): the JSON itself (`application/json`), with a non-finite value
/// as `null`: JSON has no NaN, and Keras's requests refuses to send it and blames the server.
///
/// Posts run in order on a cue::worker, each bounded by `.timeout`, so a slow or silent server
/// does not slow training; at most `.queue_capacity` wait, and when full the oldest is dropped. A
/// failure (refused, timed out, an HTTP error status) is a warning on `.log` naming the URL
/// (its user, password and query hidden) and the cause, never an exception into training; header values
/// never appear in one. At train end (and on exception) it waits up to `.drain_timeout` for the
/// posts queued, then cancels the rest (the post under way is aborted) and reports each one not
/// delivered: failed, dropped from a full queue, still queued, cancelled. Its destructor waits at
/// most `cue::cancel_grace` more. `Transport` is any `cue::http::transport` (libcurl's by
/// default).
///
/// Hooks: on_train_begin, on_epoch_end, on_train_end, on_exception.
template <http::transport Transport = http::curl_transport>
class remote_monitor {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = remote_monitor_options;

  explicit remote_monitor(options opts = {}, Transport transport = {})
      : opts_(std::move(opts)), channel_(make_channel(opts_, std::move(transport))), worker_(worker_options_of(opts_)) {
    if (opts_.root.empty()) throw std::invalid_argument("cue: remote_monitor: root is empty");
    if (opts_.timeout.count() < 0 || opts_.drain_timeout.count() < 0)
      throw std::invalid_argument("cue: remote_monitor: timeout and drain_timeout must be >= 0 seconds");
    if (opts_.queue_capacity == 0) throw std::invalid_argument("cue: remote_monitor: queue_capacity must be >= 1");
  }
  remote_monitor(remote_monitor&& other) noexcept
      : opts_(std::move(other.opts_)), channel_(std::move(other.channel_)), worker_(worker_options_of(opts_)) {}
  ~remote_monitor() {
    worker_.close();
    if (channel_) channel_->say->silence();  // a post left running writes nothing after
  }

  void on_train_begin(auto&) { at_begin_ = worker_.counts(); }

  void on_epoch_end(auto& ctx) {
    http::request r{opts_.root + opts_.path, opts_.headers, {}, {}, opts_.timeout};
    const std::string json = payload(ctx, opts_.send_as_json);
    if (opts_.send_as_json) {
      r.content_type = "application/json";
      r.body = json;
    } else {
      r.content_type = "application/x-www-form-urlencoded";
      r.body = http::form_encoded(opts_.field) + "=" + http::form_encoded(json);
    }
    worker_.post([c = channel_, r = std::move(r)](std::stop_token stop) { return c->send(r, stop); });
  }
  void on_train_end(auto&) { drain(); }
  void on_exception(auto&) { drain(); }

  /// Posts the server answered with a 2xx status; posts not delivered (failed, dropped, cancelled).
  [[nodiscard]] std::size_t delivered() const { return worker_.counts().done; }
  [[nodiscard]] std::size_t failed() const {
    const auto c = worker_.counts();
    return c.failed + c.dropped + c.cancelled;
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }
  [[nodiscard]] Transport& transport() noexcept { return channel_->transport; }

 private:
  // What the worker's tasks use, shared with them, so that a post left to finish alone has it.
  struct channel {
    Transport transport;
    std::shared_ptr<reporter> say;
    // One POST; whatever happens is counted, and a failure reported, never thrown.
    bool send(const http::request& r, std::stop_token stop) {
      const std::string problem = http::post_problem(transport, r, stop);
      if (problem.empty()) return true;
      if (!stop.stop_requested()) (*say)("could not post to " + redacted_in_text(r.url) + ": " + problem);
      return false;
    }
  };
  static std::shared_ptr<channel> make_channel(const options& o, Transport transport) {
    std::vector<std::string> secrets;
    for (const auto& h : o.headers) secrets.push_back(h.second);
    return std::make_shared<channel>(channel{std::move(transport), reporter::make("remote_monitor", o.log, std::move(secrets))});
  }
  static worker_options worker_options_of(const options& o) {
    return {.capacity = o.queue_capacity, .policy = when_full::drop_oldest, .drain_timeout = o.drain_timeout};
  }

  // {"epoch": 3, "accuracy": 0.91, "loss": 0.25}: json.dumps's spacing, Python's float repr.
  template <class Ctx>
  static std::string payload(const Ctx& ctx, bool strict_json) {
    const auto& logs = ctx.logs();
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < logs.names.size(); ++i)
      if (is_measured(logs.names[i], ctx.validated())) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return logs.names[a] < logs.names[b]; });
    json::python_object out(strict_json);
    out.add("epoch", static_cast<long long>(ctx.epoch()));
    for (const auto i : order) out.add(logs.names[i], logs.values[i]);
    return out.str();
  }

  void drain() {
    const worker_end end = worker_.finish();
    const std::string undone = undone_report(worker_.counts() - at_begin_, end,
                                             "posts to " + redacted_in_text(opts_.root + opts_.path), "not delivered",
                                             opts_.drain_timeout);
    if (!undone.empty()) (*channel_->say)(undone);
    at_begin_ = worker_.counts();
  }

  options opts_;
  std::shared_ptr<channel> channel_;
  worker_counts at_begin_{};
  worker worker_;  // last: it ends before the members above go
};

}  // namespace cue
