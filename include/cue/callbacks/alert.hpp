// cue::alert: a message to the team's systems when a condition over the run starts (and ends):
// a metric above or below a threshold, a spike, a non-finite value, training stopped or failed.
// Delivered by sinks (<cue/sinks/chat.hpp>, <cue/sinks/email.hpp>, <cue/sinks/command.hpp>) off
// the training thread. Needs nlohmann-json; the network sinks need cue::http.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/alerts/message.hpp>
#include <cue/alerts/rules.hpp>
#include <cue/context.hpp>
#include <cue/fixed_string.hpp>
#include <cue/options.hpp>
#include <cue/reporter.hpp>
#include <cue/run_events.hpp>
#include <cue/state.hpp>
#include <cue/worker.hpp>

namespace cue {

/// Options of `cue::alert`.
struct alert_options {
  std::vector<alert_sink> sinks{};  ///< where every message goes
  std::string run{};                ///< the run's name, shown in every message
  bool notify_resolved = true;      ///< also a message when a condition stops holding
  /// At most one start per rule in this interval (an end is sent when its start was), and
  /// `max_per_minute` messages over all rules (Slack takes about one a second, WeCom and DingTalk
  /// 20 a minute); what is held back is counted, and the next message sent says how many.
  std::chrono::duration<double> min_interval{60.0};
  std::size_t max_per_minute = 10;
  std::size_t queue_capacity = 64;  ///< messages waiting for the sinks; when full the oldest goes
  std::chrono::duration<double> drain_timeout{10.0};  ///< at train end, for messages still queued
  std::ostream* log = &std::cerr;   ///< where failed deliveries are reported (nothing when null)
  /// The clock of the rate limits (tests substitute their own).
  std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
};

template <std::same_as<alert_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("alert_options", field{"run", &O::run},
                  field{"notify_resolved", &O::notify_resolved},
                  field{"min_interval", &O::min_interval},
                  field{"max_per_minute", &O::max_per_minute},
                  field{"queue_capacity", &O::queue_capacity},
                  field{"drain_timeout", &O::drain_timeout});
}

namespace detail {
template <class... Ns>
struct joined_names {
  using type = names<>;
};
template <fixed_string... A>
struct joined_names<names<A...>> {
  using type = names<A...>;
};
template <fixed_string... A, fixed_string... B, class... Rest>
struct joined_names<names<A...>, names<B...>, Rest...> : joined_names<names<A..., B...>, Rest...> {};

template <class Rule>
struct monitored_by_rule {
  using type = names<>;
};
template <class Rule>
  requires requires { typename Rule::monitored; }
struct monitored_by_rule<Rule> {
  using type = typename Rule::monitored;
};
}  // namespace detail

/// Watches `Rules` (cue::rules::above, below, spike, non_finite over the epoch's logs; stopped,
/// failed at the end) and sends a message through every sink when a condition starts to hold,
/// and, with `notify_resolved`, when it stops: edge-triggered, never one per epoch while it holds.
/// Rate limits: one start (`firing`) per rule per `min_interval`, and `max_per_minute` messages
/// over all; an end (`resolved`) is sent only when its start was. What they hold back is counted,
/// and the next message sent says how many.
/// A metric a rule names that the fit does not produce is a compile error, as for early stopping;
/// an epoch whose logs lack it (`val_*` without validation) leaves the rule as it was.
///
/// Never slows or breaks training: messages are built on the training thread and delivered in
/// order on a cue::worker, through a queue of `queue_capacity` that drops its oldest when full. A
/// failed delivery (refused, timed out, an error status, WeCom's or DingTalk's `errcode`, an
/// exception in a sink) is a line on `.log` naming the sink (its URL redacted) and the cause. At
/// train end and on exception it waits up to `drain_timeout`, then cancels what is left (the
/// delivery under way is aborted) and reports each message not delivered; its destructor waits at
/// most `cue::cancel_grace` more.
///
/// The rules' state (which conditions hold, a spike's best) is kept by backup_and_restore, so a
/// resumed run does not announce again what it already did.
///
/// Hooks: on_train_begin, on_epoch_end, on_train_end, on_exception; sends cue::alert_changed
/// when a metric rule begins or ceases to hold (whether or not the rate limits let its message go).
template <class... Rules>
class alert {
  static_assert((detail::check_rule<Rules>() && ...));

 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = alert_options;
  using monitored = typename detail::joined_names<typename detail::monitored_by_rule<Rules>::type...>::type;
  using emits = cue::emits<alert_changed>;  ///< when a metric rule begins or ceases to hold (training_curves marks it)

  explicit alert(options opts, Rules... rules)
      : opts_(std::move(opts)), rules_(std::move(rules)...), host_(host_name()), channel_(make_channel(opts_)),
        worker_(worker_options_of(opts_)) {
    if (opts_.sinks.empty()) throw std::invalid_argument("cue: alert: no sinks; give .sinks = {cue::sinks::slack{...}, ...}");
    if (opts_.min_interval.count() < 0 || opts_.drain_timeout.count() < 0)
      throw std::invalid_argument("cue: alert: min_interval and drain_timeout must be >= 0 seconds");
    if (opts_.max_per_minute == 0) throw std::invalid_argument("cue: alert: max_per_minute must be >= 1");
    if (opts_.queue_capacity == 0) throw std::invalid_argument("cue: alert: queue_capacity must be >= 1");
    if (!opts_.now) throw std::invalid_argument("cue: alert: now (the clock) is empty");
    std::apply([](auto&... r) { (validate(r), ...); }, rules_);
  }
  alert(alert&& other) noexcept
      : opts_(std::move(other.opts_)), rules_(std::move(other.rules_)), host_(std::move(other.host_)),
        holds_(other.holds_), announced_(other.announced_), channel_(std::move(other.channel_)),
        worker_(worker_options_of(opts_)) {}
  ~alert() {
    worker_.close();
    if (channel_) channel_->say->silence();  // a delivery left running writes nothing after
  }

  void on_train_begin(auto& ctx) {
    epochs_ = ctx.params().epochs;
    at_begin_ = worker_.counts();
  }

  void on_epoch_end(auto& ctx) {
    for_each_rule([&](auto& rule, std::size_t i) {
      using R = std::remove_cvref_t<decltype(rule)>;
      if constexpr (rules::metric_rule<R>) {
        constexpr auto name = fixed_string_of(static_cast<typename R::monitored*>(nullptr));
        if (!has_log<name>(ctx)) return;
        const rules::finding f = rule.check(get<name>(ctx.logs()));
        if (f.holds == holds_[i]) return;
        holds_[i] = f.holds;
        emit_if_heard<alert_changed>(ctx, [&] { return alert_changed{rule.title, f.holds}; });
        // An end is told only when its start was (a start the rate limit held back has no end).
        if (!f.holds && (!opts_.notify_resolved || !std::exchange(announced_[i], false))) return;
        alert_message m = about(ctx, rule.title, rule.level);
        m.state = f.holds ? "firing" : "resolved";
        m.metric = std::string(R::metric());
        m.value = f.value;
        m.reference = f.reference;
        m.reference_name = std::string(R::reference_name());
        m.rule = rule.rule();
        send(i, std::move(m));
      }
    });
  }

  void on_train_end(auto& ctx) {
    for_each_rule([&](auto& rule, std::size_t i) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(rule)>, rules::stopped>) {
        if (!rule.applies(ctx.state())) return;
        alert_message m = about(ctx, rule.title, rule.level);
        m.details = {{"reason", std::string(name(ctx.state().stop_reason))}};
        if (!ctx.state().stop_message.empty()) m.details.emplace_back("message", ctx.state().stop_message);
        send(i, std::move(m));
      }
    });
    drain();
  }

  void on_exception(auto& ctx) {
    for_each_rule([&](auto& rule, std::size_t i) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(rule)>, rules::failed>) {
        alert_message m = about(ctx, rule.title, rule.level);
        m.details = {{"error", what(ctx.exception())}};
        send(i, std::move(m));
      }
    });
    drain();
  }

  /// Its state for backup_and_restore: which conditions hold (and whether their start was sent),
  /// and each spike's best.
  [[nodiscard]] static std::string state_key() { return "alert"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    cue::state_dict d;
    for_each_rule([&](const auto& rule, std::size_t i) {
      const std::string prefix = "rule" + std::to_string(i) + ".";
      d[prefix + "holds"] = holds_[i] ? "1" : "0";
      d[prefix + "announced"] = announced_[i] ? "1" : "0";
      if constexpr (requires { rule.save(d, prefix); }) rule.save(d, prefix);
    });
    return d;
  }
  void load_state_dict(const cue::state_dict& d) {
    for_each_rule([&](auto& rule, std::size_t i) {
      const std::string prefix = "rule" + std::to_string(i) + ".";
      holds_[i] = state::at(d, prefix + "holds", "alert") == "1";
      announced_[i] = state::at(d, prefix + "announced", "alert") == "1";
      if constexpr (requires { rule.load(d, prefix); }) rule.load(d, prefix);
    });
  }

  /// Messages sent to the sinks, deliveries that succeeded and failed (counting those still queued
  /// when the drain timed out, or dropped from a full queue), and messages the rate limit held back.
  [[nodiscard]] std::size_t sent() const { return sent_; }
  [[nodiscard]] std::size_t delivered() const {
    std::lock_guard lock(channel_->mutex);
    return channel_->delivered;
  }
  [[nodiscard]] std::size_t failed() const {
    const auto c = worker_.counts();
    std::lock_guard lock(channel_->mutex);
    return channel_->failed + c.dropped * opts_.sinks.size();  // a cancelled message's sinks count in failed
  }
  [[nodiscard]] std::size_t suppressed() const { return suppressed_total_; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  template <fixed_string Name>
  static constexpr auto fixed_string_of(names<Name>*) { return Name; }

  template <class R>
  static void validate(R& rule) {
    if constexpr (requires { rule.validate(); }) rule.validate();
  }

  template <class F>
  void for_each_rule(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<I>(rules_), I), ...); }(
        std::index_sequence_for<Rules...>{});
  }
  template <class F>
  void for_each_rule(F&& f) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<I>(rules_), I), ...); }(
        std::index_sequence_for<Rules...>{});
  }

  alert_message about(auto& ctx, const std::string& title, alert_level level) const {
    alert_message m;
    m.title = title;
    m.level = level;
    m.run = opts_.run;
    m.host = host_;
    m.epoch = ctx.epoch();
    m.epochs = epochs_;
    m.step = ctx.step();
    m.time = utc_now();
    return m;
  }

  static std::string what(std::exception_ptr error) {
    std::string text = "unknown exception";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      text = e.what();
    } catch (...) {
    }
    std::size_t lines = 0, at = 0;
    while (at < text.size() && (at = text.find('\n', at)) != std::string::npos) {
      if (++lines == 30) return text.substr(0, at) + "\n[cut at 30 lines]";
      ++at;
    }
    return text;
  }

  // The rate limits, on the training thread; then the message is queued for the sinks. An end
  // (resolved) is not held back by its rule's interval: it closes a start that was sent.
  void send(std::size_t rule, alert_message m) {
    const auto now = opts_.now();
    const auto minute = std::chrono::minutes(1);
    while (!recent_.empty() && now - recent_.front() >= minute) recent_.pop_front();
    const bool rule_quiet = m.state == "resolved" || !last_sent_[rule] || now - *last_sent_[rule] >= opts_.min_interval;
    if (!rule_quiet || recent_.size() >= opts_.max_per_minute) {
      ++held_back_;
      ++suppressed_total_;
      return;
    }
    if (m.state == "firing") {
      last_sent_[rule] = now;
      announced_[rule] = true;
    }
    recent_.push_back(now);
    m.suppressed = std::exchange(held_back_, 0);
    ++sent_;
    worker_.post([c = channel_, m = std::move(m)](std::stop_token stop) { return c->deliver(m, stop); });
  }

  // What the worker's tasks use, shared with them, so that a delivery left to finish alone has it.
  struct channel {
    std::vector<alert_sink> sinks;
    std::shared_ptr<reporter> say;
    std::mutex mutex;
    std::size_t delivered = 0, failed = 0;  // deliveries to a sink
    // Every sink, whatever the others did; true when all took it.
    bool deliver(const alert_message& m, std::stop_token stop) {
      bool all = true;
      for (const auto& sink : sinks) {
        const std::string problem = stop.stop_requested() ? "cancelled at the end of training" : sink.deliver(m, stop);
        {
          std::lock_guard lock(mutex);
          ++(problem.empty() ? delivered : failed);
        }
        if (problem.empty()) continue;
        all = false;
        if (!stop.stop_requested())
          (*say)("could not deliver " + std::string(lead_word(m)) + " '" + json::replaced_utf8(m.title) + "' to " +
                 sink.describe() + ": " + problem);
      }
      return all;
    }
  };
  static std::shared_ptr<channel> make_channel(const options& o) {
    auto c = std::make_shared<channel>();
    c->sinks = o.sinks;
    c->say = reporter::make("alert", o.log);
    return c;
  }
  static worker_options worker_options_of(const options& o) {
    return {.capacity = o.queue_capacity, .policy = when_full::drop_oldest, .drain_timeout = o.drain_timeout};
  }

  void drain() {
    const worker_end end = worker_.finish();
    // A sink's failure was said when it happened: the end tells what never reached the sinks.
    worker_counts run = worker_.counts() - at_begin_;
    run.posted -= run.failed;
    run.failed = 0;
    const std::string undone = undone_report(run, end, "messages", "not delivered", opts_.drain_timeout);
    if (!undone.empty()) (*channel_->say)(undone);
    at_begin_ = worker_.counts();
  }

  options opts_;
  std::tuple<Rules...> rules_;
  std::string host_;
  std::array<bool, sizeof...(Rules)> holds_{}, announced_{};  // holds; its start was sent
  std::array<std::optional<std::chrono::steady_clock::time_point>, sizeof...(Rules)> last_sent_{};
  std::deque<std::chrono::steady_clock::time_point> recent_{};  // sends in the last minute
  std::size_t held_back_ = 0;
  int epochs_ = 0;
  std::size_t sent_ = 0, suppressed_total_ = 0;
  std::shared_ptr<channel> channel_;
  worker_counts at_begin_{};
  worker worker_;  // last: it ends before the members above go
};

}  // namespace cue
