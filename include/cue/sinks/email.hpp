// An alert sink that sends e-mail over SMTP with libcurl (which speaks it): a plain-text message
// to a list. Needs libcurl, OpenSSL's libcrypto and nlohmann-json: CMake target cue::http.
#pragma once

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <cue/alerts/message.hpp>
#include <cue/http/curl_transport.hpp>
#include <cue/json.hpp>
#include <cue/redact.hpp>
#include <cue/utc.hpp>

namespace cue::sinks {

/// E-mail through an SMTP server: the headline as the subject, the message's lines as the body.
/// `url` is `smtp://host:port` (STARTTLS when the server offers it, `.require_tls` to insist) or
/// `smtps://host:465`; `username`/`password` when the server asks (secrets: cue::secret_from_env).
///
/// What the message says never becomes a header: a line break in the subject is folded into a
/// space, and an address holding a line break, a space, `<`, `>`, `,` or `;` is refused when the
/// sink is given (`validate()`). The body goes with CRLF line ends, as SMTP wants; libcurl
/// escapes a line that starts with a dot. The whole delivery, connection included, takes at most
/// `.timeout`.
struct email {
  std::string url;                    ///< smtp://mail.example.com:587
  std::string from;                   ///< the sender's address
  std::vector<std::string> to;        ///< the recipients' addresses (a mailing list, say)
  std::string username{}, password{};
  bool require_tls = false;
  std::chrono::duration<double> timeout{10.0};

  [[nodiscard]] std::string describe() const { return "e-mail via " + redacted(url); }

  /// Throws std::invalid_argument naming an address that would break the envelope or a header.
  void validate() const {
    auto check = [](std::string_view what, const std::string& address) {
      const bool bad = address.empty() || std::any_of(address.begin(), address.end(), [](char c) {
        return static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';';
      });
      if (bad)
        throw std::invalid_argument("cue: sinks::email: the " + std::string(what) + " address '" +
                                    json::replaced_utf8(address) +
                                    "' is empty or holds a space, a line break, <, >, ',' or ';'; give one plain address");
    };
    check("from", from);
    for (const auto& address : to) check("to", address);
  }

  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    if (to.empty()) return "no recipient";
    try {
      validate();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    const auto handle = http::detail::new_easy_handle();
    if (!handle) return "libcurl could not be initialised";
    CURL* c = handle.get();
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(nullptr, &curl_slist_free_all);
    for (const auto& address : to)
      if (curl_slist* more = curl_slist_append(recipients.get(), ("<" + address + ">").c_str())) {
        (void)recipients.release();
        recipients.reset(more);
      }
    payload message{rfc5322(m), 0};
    const std::string sender = "<" + from + ">";
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, sender.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    if (!username.empty()) curl_easy_setopt(c, CURLOPT_USERNAME, username.c_str());
    if (!password.empty()) curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
    curl_easy_setopt(c, CURLOPT_USE_SSL, require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &email::read);
    curl_easy_setopt(c, CURLOPT_READDATA, &message);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, http::detail::milliseconds(timeout));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = http::detail::perform(c, stop);
    if (code == CURLE_OK) return {};
    if (code == CURLE_ABORTED_BY_CALLBACK) return http::detail::cancelled;
    return redacted_text(error[0] ? error : curl_easy_strerror(code), {url, username, password});
  }

  /// The message as sent: headers (the subject folded to one line, and encoded as RFC 2047 when
  /// it is not ASCII), a blank line, the message's lines; every line ends in CRLF.
  [[nodiscard]] std::string rfc5322(const alert_message& m) const {
    std::string out;
    auto line = [&](std::string_view text) {
      out += text;
      out += "\r\n";
    };
    line("Date: " + utc_text(std::time(nullptr), "%a, %d %b %Y %H:%M:%S +0000"));
    line("From: " + from);
    std::string recipients;
    for (const auto& address : to) recipients += (recipients.empty() ? "" : ", ") + address;
    line("To: " + recipients);
    line("Subject: " + encoded_header(one_line(headline(m))));
    line("MIME-Version: 1.0");
    line("Content-Type: text/plain; charset=utf-8");
    line("Content-Transfer-Encoding: 8bit");
    line("");
    for (const auto& l : body_lines(m)) {
      const std::string text = json::replaced_utf8(l);
      for (std::size_t at = 0; at <= text.size();) {  // a line break inside a line: CRLF too
        auto end = text.find_first_of("\r\n", at);
        if (end == std::string::npos) end = text.size();
        line(std::string_view(text).substr(at, end - at));
        at = end + (text.compare(end, 2, "\r\n") == 0 ? 2 : 1);
      }
    }
    return out;
  }

 private:
  struct payload {
    std::string text;
    std::size_t sent;
  };
  static size_t read(char* buffer, size_t size, size_t n, void* data) {
    auto* p = static_cast<payload*>(data);
    const std::size_t chunk = std::min(size * n, p->text.size() - p->sent);
    std::memcpy(buffer, p->text.data() + p->sent, chunk);
    p->sent += chunk;
    return chunk;
  }
  // A header value on one line: each run of control characters (a CR LF above all) becomes one space.
  static std::string one_line(const std::string& text) {
    std::string out;
    for (char c : text) {
      const bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      if (!control) out += c;
      else if (out.empty() || out.back() != ' ') out += ' ';
    }
    return json::replaced_utf8(out);
  }
  // RFC 2047: encoded-words of at most 75 characters, each holding whole UTF-8 characters, joined
  // by folding whitespace; ASCII as it is.
  static std::string encoded_header(const std::string& text) {
    if (std::all_of(text.begin(), text.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; }))
      return text;
    constexpr std::size_t max_bytes = 45;  // base64 of 45 bytes is 60 characters, 72 with =?UTF-8?B?...?=
    std::string out;
    for (std::size_t at = 0; at < text.size();) {
      std::size_t end = std::min(text.size(), at + max_bytes);
      while (end < text.size() && end > at && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
      std::string encoded(4 * ((end - at + 2) / 3) + 1, '\0');
      const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                    reinterpret_cast<const unsigned char*>(text.data() + at), static_cast<int>(end - at));
      encoded.resize(static_cast<std::size_t>(n));
      if (!out.empty()) out += "\r\n ";
      out += "=?UTF-8?B?" + encoded + "?=";
      at = end;
    }
    return out;
  }
};

}  // namespace cue::sinks
