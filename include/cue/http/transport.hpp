// What the network callbacks need from an HTTP client: one POST, answered or failed. cue's is
// libcurl's (<cue/http/curl_transport.hpp>); tests and users may bring their own.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <stop_token>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cue::http {

/// One POST: where, which headers in the order given, the body and its type, and how long to wait.
struct request {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string content_type;
  std::string body;
  std::chrono::duration<double> timeout{10.0};  ///< 0: wait as long as the server takes
};

/// The most of an answer's body a transport keeps: what cue reads of one (WeCom's errcode, an
/// error's first words) is short, and a server that sends more must not fill memory.
inline constexpr std::size_t max_response_body = 64 * 1024;

/// What came back: the HTTP status and body, or, when no answer came (refused, timed out,
/// cancelled), why.
struct response {
  long status = 0;
  std::string body{};   ///< at most max_response_body bytes of it
  std::string error{};  ///< empty when the server answered
  [[nodiscard]] bool answered() const noexcept { return error.empty(); }
  [[nodiscard]] bool ok() const noexcept { return answered() && status >= 200 && status < 300; }
};

/// A type that posts: `t.post(request) -> response`, never throwing for a network failure. It
/// may also take a `std::stop_token` (`t.post(request, stop)`), and should then end the transfer
/// soon after a stop is asked: the end of training cancels what outlasts its drain budget.
template <class T>
concept transport = requires(T& t, const request& r) {
  { t.post(r) } -> std::same_as<response>;
};

/// `t.post(r, stop)` when the transport takes a stop token, else `t.post(r)`.
template <transport T>
response post_with(T& t, const request& r, std::stop_token stop) {
  if constexpr (requires { { t.post(r, stop) } -> std::same_as<response>; })
    return t.post(r, stop);
  else
    return t.post(r);
}

/// Posts `r` and says what went wrong: empty when the server answered with a 2xx status, else
/// the transport's error, the status, or the exception the transport threw (never thrown on).
template <transport T>
[[nodiscard]] std::string post_problem(T& t, const request& r, std::stop_token stop) {
  try {
    const response answer = post_with(t, r, stop);
    if (!answer.answered()) return answer.error;
    if (!answer.ok()) return "the server answered HTTP " + std::to_string(answer.status);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

/// `application/x-www-form-urlencoded` as Python's urlencode writes it (quote_plus: letters,
/// digits and `_.-~` kept, space as `+`, every other byte as `%XX`).
[[nodiscard]] inline std::string form_encoded(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
        c == '-' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace cue::http
