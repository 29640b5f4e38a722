// Alert sinks that POST JSON: Slack, WeCom (企业微信), DingTalk, Microsoft Teams and a generic
// webhook, each with its service's own payload. Needs libcurl, OpenSSL's libcrypto (DingTalk's
// signature) and nlohmann-json: CMake target cue::http.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <functional>
#include <stop_token>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <cue/alerts/message.hpp>
#include <cue/json.hpp>
#include <cue/redact.hpp>
#include <cue/http/curl_transport.hpp>
#include <cue/http/transport.hpp>

namespace cue::sinks {

/// How a sink posts: libcurl when empty; tests and users may bring their own.
using post_function = std::function<http::response(const http::request&)>;

namespace detail {

// One POST of a JSON body; empty when the service took it, else why not, with no secret in it.
// WeCom and DingTalk answer 200 with a non-zero `errcode` when they refuse a message.
enum class answer_check { status, errcode, teams };

inline std::string post_json(const post_function& post, http::request r, answer_check check,
                             const std::vector<std::string>& secrets, std::stop_token stop) {
  r.content_type = "application/json";
  http::response answer;
  if (post) {
    answer = post(r);
  } else {
    thread_local http::curl_transport curl;  // one handle per delivering thread
    answer = curl.post(r, stop);
  }
  std::string problem;
  const std::string excerpt = json::replaced_utf8(answer.body.substr(0, 200));
  if (!answer.answered()) {
    problem = answer.error;
  } else if (!answer.ok()) {
    problem = "the server answered HTTP " + std::to_string(answer.status);
  } else if (check == answer_check::teams) {
    if (answer.body.find("error 429") != std::string::npos) problem = "Teams is rate limiting: " + excerpt;
  } else if (check == answer_check::errcode) {
    const auto body = nlohmann::json::parse(answer.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("errcode"))
      problem = "the answer has no errcode: " + excerpt;
    else if (body["errcode"] != 0)
      problem = "the service refused the message: errcode " + json::dump(body["errcode"]).substr(0, 40) + " " +
                json::replaced_utf8(body["errmsg"].is_string() ? body["errmsg"].get<std::string>().substr(0, 200) : "");
  }
  return redacted_text(std::move(problem), secrets);
}

// At most `limit` bytes of `s`, cut at a UTF-8 character's start, marked when cut.
inline std::string within(std::string s, std::size_t limit) {
  if (s.size() <= limit) return s;
  const std::string mark = "\n…";
  std::size_t end = limit - mark.size();
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s + mark;
}

// Slack's documented escaping: &, < and > as &amp;, &lt; and &gt;, so that no text of a message
// becomes a mention (<!channel>) or a link (<https://...|label>).
inline std::string slack_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

// The characters that make Markdown (and the HTML that WeCom and DingTalk render in it) markup:
// links and images, tags and mentions, character references, bold, code.
inline bool has_markup(std::string_view text) { return text.find_first_of("<>[]*`&!") != std::string_view::npos; }

// WeCom: a piece with markup characters in a code span (WeCom's inline code, one line), so that
// no text becomes a <font>, a link or a mention; a backtick inside becomes a quotation mark.
inline std::string wecom_escaped(std::string_view text) {
  if (!has_markup(text)) return std::string(text);
  std::string out = "`";
  for (char c : text) out += c == '`' ? '\'' : c;
  return out + "`";
}

// DingTalk: the markup characters as HTML character references, which its Markdown (CommonMark
// with HTML) shows as the characters themselves.
inline std::string dingtalk_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (has_markup(std::string_view(&c, 1))) {
      out += "&#";
      out += std::to_string(static_cast<int>(static_cast<unsigned char>(c)));
      out += ';';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace detail

/// Slack incoming webhook: `{"text": ...}`, the message as plain text, with `&`, `<` and `>`
/// escaped as Slack documents, so that no text in it pings a channel or disguises a link.
struct slack {
  std::string url;  ///< https://hooks.slack.com/services/...: a secret (cue::secret_from_env)
  std::chrono::duration<double> timeout{10.0};
  post_function post{};

  [[nodiscard]] std::string describe() const { return "Slack webhook " + redacted(url); }
  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    const nlohmann::ordered_json body = {{"text", detail::slack_escaped(plain_text(m))}};
    return detail::post_json(post, {url, {}, {}, json::dump(body), timeout}, detail::answer_check::status, {url}, stop);
  }
};

/// WeCom (企业微信) group robot: Markdown with the level coloured (at most 4096 bytes), or text
/// (at most 2048 bytes) with its @-mentions. In Markdown, a piece of the message's text that holds
/// markup characters goes in a code span, so that it is never read as a tag, a link or a mention.
/// WeCom has three colours: ERROR is orange-red (`warning`), WARNING grey (`comment`), INFO and
/// RESOLVED green (`info`), each with its word. A non-zero `errcode` is a failed delivery.
namespace detail {
[[nodiscard]] inline const char* wecom_colour(const alert_message& m) noexcept {
  if (lead_word(m) == "RESOLVED" || m.level == alert_level::info) return "info";
  return m.level == alert_level::error ? "warning" : "comment";
}
}  // namespace detail
struct wecom {
  std::string url;  ///< https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...: a secret
  bool markdown = true;
  std::vector<std::string> mentioned_list{};         ///< user ids, or "@all" (text only)
  std::vector<std::string> mentioned_mobile_list{};  ///< phone numbers (text only)
  std::chrono::duration<double> timeout{10.0};
  post_function post{};

  [[nodiscard]] std::string describe() const { return "WeCom robot " + redacted(url); }
  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    nlohmann::ordered_json body;
    if (markdown) {
      std::string head = "[cue] <font color=\"";
      head += detail::wecom_colour(m);
      head += "\">";
      head += lead_word(m);
      head += "</font> ";
      head += detail::wecom_escaped(m.title);
      body = {{"msgtype", "markdown"},
              {"markdown", {{"content", detail::within(cue::markdown(m, detail::wecom_escaped, head), 4096)}}}};
    } else {
      body = {{"msgtype", "text"},
              {"text",
               {{"content", detail::within(plain_text(m), 2048)},
                {"mentioned_list", mentioned_list},
                {"mentioned_mobile_list", mentioned_mobile_list}}}};
    }
    return detail::post_json(post, {url, {}, {}, json::dump(body), timeout}, detail::answer_check::errcode, {url}, stop);
  }
};

/// DingTalk (钉钉) custom robot: Markdown (title and text; markup characters of the message's text
/// as HTML character references, so none is read as markup) or text, with its @-mentions; with a
/// `secret`, the URL is signed as DingTalk asks: `&timestamp=<ms>&sign=<urlencoded base64
/// HMAC-SHA256 of "<ms>\n<secret>" keyed by the secret>`. A non-zero `errcode` is a failed delivery.
struct dingtalk {
  std::string url;     ///< https://oapi.dingtalk.com/robot/send?access_token=...: a secret
  std::string secret{};  ///< the robot's signing secret (SEC...), when it has one
  bool markdown = true;
  std::vector<std::string> at_mobiles{};
  bool at_all = false;
  std::chrono::duration<double> timeout{10.0};
  post_function post{};

  [[nodiscard]] std::string describe() const { return "DingTalk robot " + redacted(url); }
  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    nlohmann::ordered_json body;
    if (markdown)
      body = {{"msgtype", "markdown"},
              {"markdown", {{"title", headline(m)},
                            {"text", cue::markdown(m, detail::dingtalk_escaped,
                                                   "[cue] " + detail::dingtalk_escaped(headline(m).substr(6)))}}}};
    else
      body = {{"msgtype", "text"}, {"text", {{"content", plain_text(m)}}}};
    body["at"] = {{"atMobiles", at_mobiles}, {"isAtAll", at_all}};
    std::string target = url;
    if (!secret.empty()) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
      target += url.find('?') == std::string::npos ? '?' : '&';
      target += "timestamp=" + std::to_string(ms) + "&sign=" + http::form_encoded(signature(ms, secret));
    }
    return detail::post_json(post, {target, {}, {}, json::dump(body), timeout}, detail::answer_check::errcode,
                             {url, secret}, stop);
  }

  /// base64(HMAC-SHA256(key = secret, "<ms>\n<secret>")), as DingTalk's documentation computes it.
  [[nodiscard]] static std::string signature(long long ms, const std::string& secret) {
    const std::string text = std::to_string(ms) + "\n" + secret;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &size);
    unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(encoded, mac, static_cast<int>(size));
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
  }
};

/// Microsoft Teams (an incoming webhook or a Workflows URL): an Adaptive Card, which both take.
/// The message's text goes in TextRuns (in RichTextBlocks), which Adaptive Cards never read as
/// Markdown. Teams's old connectors answer a rate limit with 200 and the error in the body: that
/// is a failure.
struct teams {
  std::string url;  ///< a secret
  std::chrono::duration<double> timeout{10.0};
  post_function post{};

  [[nodiscard]] std::string describe() const { return "Teams webhook " + redacted(url); }
  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    using json_t = nlohmann::ordered_json;
    const char* colour = m.state == "resolved" || m.level == alert_level::info ? "Good"
                         : m.level == alert_level::warning                     ? "Warning"
                                                                               : "Attention";
    auto text = [](const std::string& t, json_t style) {
      json_t run = {{"type", "TextRun"}, {"text", t}};
      for (auto& [k, v] : style.items()) run[k] = v;
      return json_t{{"type", "RichTextBlock"}, {"inlines", json_t::array({run})}};
    };
    json_t card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                   {"type", "AdaptiveCard"},
                   {"version", "1.4"},
                   {"body", json_t::array({text(headline(m), {{"weight", "Bolder"}, {"size", "Medium"}, {"color", colour}})})}};
    for (const auto& line : body_lines(m)) card["body"].push_back(text(line, json_t::object()));
    const json_t body = {{"type", "message"},
                         {"attachments", json_t::array({json_t{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                                               {"contentUrl", nullptr},
                                                               {"content", std::move(card)}}})}};
    return detail::post_json(post, {url, {}, {}, json::dump(body), timeout}, detail::answer_check::teams, {url}, stop);
  }
};

/// Any endpoint that takes JSON: the message as cue's generic object (cue::to_json), with the
/// headers given (an Authorization header, say), in order.
struct webhook {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::chrono::duration<double> timeout{10.0};
  post_function post{};

  [[nodiscard]] std::string describe() const { return "webhook " + redacted(url); }
  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    std::vector<std::string> secrets{url};
    for (const auto& h : headers) secrets.push_back(h.second);
    return detail::post_json(post, {url, headers, {}, json::dump(to_json(m)), timeout}, detail::answer_check::status,
                             secrets, stop);
  }
};

}  // namespace cue::sinks
