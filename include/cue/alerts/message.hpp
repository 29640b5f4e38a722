// What an alert or a run's summary says, once, whatever the sink: the message, its renderings
// (plain text, Markdown, a JSON object) and the type-erased sink that delivers it.
// Needs nlohmann-json (Debian: nlohmann-json3-dev).
#pragma once

#include <unistd.h>

#include <chrono>
#include <concepts>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <cue/json.hpp>
#include <cue/progbar_number.hpp>
#include <cue/python_format.hpp>
#include <cue/redact.hpp>
#include <cue/utc.hpp>

namespace cue {

enum class alert_level { info, warning, error };

[[nodiscard]] constexpr std::string_view name(alert_level l) noexcept {
  return l == alert_level::info ? "INFO" : l == alert_level::warning ? "WARNING" : "ERROR";
}

/// One message: an alert that starts (`firing`) or ends (`resolved`), or a run's summary.
struct alert_message {
  std::string kind = "alert";    ///< "alert" or "summary"
  std::string state = "firing";  ///< "firing" or "resolved" (alerts); the run's status (summaries)
  std::string title{};
  alert_level level = alert_level::warning;
  std::string run{};             ///< the run's name, when given
  std::string host{};
  int epoch = -1;                ///< 0-based; -1 when not about an epoch
  int epochs = 0;                ///< epochs planned
  std::size_t step = 0;
  std::string metric{};
  std::optional<double> value{}, reference{};
  std::string reference_name{};  ///< what `reference` is ("threshold", "best")
  std::string rule{};            ///< the condition, e.g. "val_loss > 1.5 * best"
  std::vector<std::pair<std::string, std::string>> details{};  ///< more lines: name, text
  std::size_t suppressed = 0;    ///< messages the rate limit held back since the last one sent
  std::string time{};            ///< UTC, ISO 8601
};

[[nodiscard]] inline std::string host_name() {
  char out[256] = "";
  if (::gethostname(out, sizeof out - 1) != 0) return "unknown";
  return out;
}

/// The word a message leads with: its level's name, or RESOLVED for an alert that ended.
[[nodiscard]] inline std::string_view lead_word(const alert_message& m) noexcept {
  return m.kind == "alert" && m.state == "resolved" ? std::string_view("RESOLVED") : name(m.level);
}

/// `[cue] WARNING val_loss above 10` (`[cue] RESOLVED ...` when it ends).
[[nodiscard]] inline std::string headline(const alert_message& m) {
  std::string out = "[cue] ";
  out += lead_word(m);
  out += ' ';
  out += m.title;
  return out;
}

/// The lines under the headline: where and when, the value against its reference, the details,
/// and what the rate limit held back.
[[nodiscard]] inline std::vector<std::string> body_lines(const alert_message& m) {
  std::vector<std::string> lines;
  std::string where = m.run.empty() ? std::string("run") : "run " + m.run;
  where += " @ ";
  where += m.host;
  if (m.epoch >= 0) {
    where += ", epoch ";
    where += std::to_string(m.epoch + 1);
    if (m.epochs > 0) {
      where += '/';
      where += std::to_string(m.epochs);
    }
  }
  if (!m.metric.empty() && m.value) {
    where += ": ";
    where += m.metric;
    where += ' ';
    where += progbar_number(*m.value);  // the exact value is in the JSON payloads
    if (m.reference) {
      where += " (";
      where += m.reference_name;
      where += ' ';
      where += progbar_number(*m.reference);
      where += ')';
    }
  }
  lines.push_back(std::move(where));
  if (!m.rule.empty()) lines.push_back("rule: " + m.rule);
  for (const auto& [label, text] : m.details) lines.push_back(label + ": " + text);
  if (m.suppressed > 0)
    lines.push_back(std::to_string(m.suppressed) + (m.suppressed == 1 ? " message" : " messages") +
                    " held back by the rate limit since the last one");
  return lines;
}

/// Headline and lines, one per line.
[[nodiscard]] inline std::string plain_text(const alert_message& m) {
  std::string out = headline(m);
  for (const auto& line : body_lines(m)) {
    out += '\n';
    out += line;
  }
  return out;
}

/// How a sink keeps untrusted text (a title, an exception's message, a path) from being read as
/// its markup: given a piece of text, the text to send.
using text_escape = std::string (*)(std::string_view);
[[nodiscard]] inline std::string as_is(std::string_view s) { return std::string(s); }

/// The headline in bold, the lines quoted, one `> ` per line (what Slack, WeCom, DingTalk and
/// Teams all render); every piece of the message's text passes through `escape` first. `head`,
/// when given, is the headline's markup as the sink builds it (already escaped).
[[nodiscard]] inline std::string markdown(const alert_message& m, text_escape escape = as_is, std::string_view head = {}) {
  std::string out = "**";
  out += head.empty() ? escape(headline(m)) : std::string(head);
  out += "**";
  for (const auto& line : body_lines(m)) {
    for (std::size_t at = 0; at <= line.size();) {
      auto end = line.find('\n', at);
      if (end == std::string::npos) end = line.size();
      std::string_view piece(line.data() + at, end - at);
      if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
      out += "\n> ";
      out += escape(piece);
      at = end + 1;
    }
  }
  return out;
}

/// The generic JSON object (webhooks and commands): every field, numbers as numbers, a
/// non-finite value as null (JSON has none), then `text`, the plain rendering.
[[nodiscard]] inline nlohmann::ordered_json to_json(const alert_message& m) {
  auto number = [](std::optional<double> v) -> nlohmann::ordered_json { return v ? json::number(*v) : nullptr; };
  nlohmann::ordered_json j;
  j["source"] = "cue";
  j["kind"] = m.kind;
  j["state"] = m.state;
  j["title"] = m.title;
  j["level"] = name(m.level);
  j["run"] = m.run;
  j["host"] = m.host;
  j["epoch"] = m.epoch >= 0 ? nlohmann::ordered_json(m.epoch) : nlohmann::ordered_json(nullptr);
  j["epochs"] = m.epochs;
  j["step"] = m.step;
  j["metric"] = m.metric.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m.metric);
  j["value"] = number(m.value);
  j["reference"] = number(m.reference);
  j["rule"] = m.rule;
  j["details"] = nlohmann::ordered_json::object();
  for (const auto& [label, text] : m.details) j["details"][label] = text;
  j["suppressed"] = m.suppressed;
  j["time"] = m.time;
  j["text"] = plain_text(m);
  return j;
}

/// A secret (a webhook URL, a key) read from the environment variable `variable`, so that it is in
/// neither the code nor the command line. Throws std::invalid_argument naming the variable (never
/// a value) when it is unset or empty.
[[nodiscard]] inline std::string secret_from_env(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (!value || !*value)
    throw std::invalid_argument("cue: the environment variable " + variable +
                                " is not set; it should hold the secret (a webhook URL or key)");
  return value;
}

/// Where alerts and summaries go: any sink type (cue's `cue::sinks::slack`, `wecom`, `dingtalk`,
/// `teams`, `webhook`, `email`, `command`, or a user's) with `std::string describe() const` (where
/// it delivers, redacted) and `std::string deliver(const alert_message&)` (empty when delivered,
/// else why not, without secrets), or `deliver(m, std::stop_token)`, which should return soon
/// after a stop is asked (the end of training cancels what outlasts its drain budget). A sink
/// with `void validate() const` is checked when it is given (an e-mail address that would inject
/// a header is refused there). Copies share the sink; deliveries run on one worker at a time.
namespace detail {
// What a sink has; a named constant, so that a failed check names the sink type in its note.
template <class Sink>
inline constexpr bool is_an_alert_sink =
    requires(Sink& s, const alert_message& m) {
      { std::as_const(s).describe() } -> std::convertible_to<std::string>;
    } && (requires(Sink& s, const alert_message& m) {
      { s.deliver(m) } -> std::convertible_to<std::string>;
    } || requires(Sink& s, const alert_message& m, std::stop_token t) {
      { s.deliver(m, t) } -> std::convertible_to<std::string>;
    });
}  // namespace detail

class alert_sink {
 public:
  // Any class converts, so that one without the members a sink needs gets cue's error naming it
  // rather than a failed conversion of the options' initializer list.
  template <class Sink>
    requires(std::is_class_v<Sink> && !std::same_as<Sink, alert_sink>)
  alert_sink(Sink sink) {  // NOLINT: implicit, so that `.sinks = {cue::sinks::slack{...}}` reads well
    static_assert(detail::is_an_alert_sink<Sink>,
                  "cue: a type given as an alert sink lacks what a sink has (the type: in the note below); a "
                  "sink has `std::string describe() const` and `std::string deliver(const cue::alert_message&)` "
                  "or `deliver(const cue::alert_message&, std::stop_token)`, returning \"\" when delivered, else "
                  "why not");
    if constexpr (detail::is_an_alert_sink<Sink>) {
      self_ = std::make_shared<model<Sink>>(std::move(sink));
      if constexpr (requires(const Sink& s) { s.validate(); })
        static_cast<const model<Sink>&>(*self_).sink.validate();
    }
  }

  [[nodiscard]] std::string describe() const { return self_->describe(); }
  /// Delivers `m`: empty when done, else why not. An exception from the sink becomes the reason.
  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    try {
      return self_->deliver(m, stop);
    } catch (const std::exception& e) {
      return std::string("the sink threw: ") + e.what();
    } catch (...) {
      return "the sink threw an exception not derived from std::exception";
    }
  }

 private:
  struct concept_t {
    virtual ~concept_t() = default;
    virtual std::string describe() const = 0;
    virtual std::string deliver(const alert_message& m, std::stop_token stop) = 0;
  };
  template <class Sink>
  struct model final : concept_t {
    explicit model(Sink s) : sink(std::move(s)) {}
    std::string describe() const override { return sink.describe(); }
    std::string deliver(const alert_message& m, std::stop_token stop) override {
      std::lock_guard lock(busy);  // an alert's worker and a summary's may share the sink
      if constexpr (requires { sink.deliver(m, stop); })
        return sink.deliver(m, stop);
      else
        return sink.deliver(m);
    }
    Sink sink;
    std::mutex busy;
  };
  std::shared_ptr<concept_t> self_;
};

}  // namespace cue
