// An alert sink that sends e-mail over SMTP with libcurl (which speaks it): a plain-text message
// to a list. Needs libcurl, OpenSSL's libcrypto and nlohmann-json: CMake target cue::http.
#pragma once

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <cue/alerts/message.hpp>

namespace cue::sinks {

/// E-mail through an SMTP server: the headline as the subject, the message's lines as the body.
/// `url` is `smtp://host:port` (STARTTLS when the server offers it, `.require_tls` to insist) or
/// `smtps://host:465`; `username`/`password` when the server asks (secrets: cue::secret_from_env).
struct email {
  std::string url;                    ///< smtp://mail.example.com:587
  std::string from;                   ///< the sender's address
  std::vector<std::string> to;        ///< the recipients' addresses (a mailing list, say)
  std::string username{}, password{};
  bool require_tls = false;
  std::chrono::duration<double> timeout{30.0};

  [[nodiscard]] std::string describe() const { return "e-mail via " + redacted(url); }

  [[nodiscard]] std::string deliver(const alert_message& m) const {
    if (to.empty()) return "no recipient";
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(initialised ? curl_easy_init() : nullptr,
                                                                &curl_easy_cleanup);
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
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::lround(timeout.count() * 1000)));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = curl_easy_perform(c);
    if (code == CURLE_OK) return {};
    return scrubbed(error[0] ? error : curl_easy_strerror(code), {url, username, password});
  }

  /// The message as sent: headers (the subject encoded as RFC 2047 when it is not ASCII), a blank
  /// line, the message's lines, each ending in CRLF.
  [[nodiscard]] std::string rfc5322(const alert_message& m) const {
    std::string out;
    auto line = [&](const std::string& text) {
      out += text;
      out += "\r\n";
    };
    char date[64];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    line(std::string("Date: ") + date);
    line("From: " + from);
    std::string recipients;
    for (const auto& address : to) recipients += (recipients.empty() ? "" : ", ") + address;
    line("To: " + recipients);
    line("Subject: " + encoded_header(headline(m)));
    line("MIME-Version: 1.0");
    line("Content-Type: text/plain; charset=utf-8");
    line("Content-Transfer-Encoding: 8bit");
    line("");
    for (std::string l : body_lines(m)) {
      if (!l.empty() && l[0] == '.') l.insert(0, ".");  // SMTP's dot-stuffing
      line(l);
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
  static std::string encoded_header(const std::string& text) {
    if (std::all_of(text.begin(), text.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; }))
      return text;
    std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    encoded.resize(static_cast<std::size_t>(n));
    return "=?UTF-8?B?" + encoded + "?=";
  }
};

}  // namespace cue::sinks
