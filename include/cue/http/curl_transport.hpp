// cue::http::curl_transport: POST with libcurl (Debian: libcurl4-openssl-dev; CMake target cue::http).
#pragma once

#include <curl/curl.h>

#include <cmath>
#include <memory>
#include <string>

#include <cue/http/transport.hpp>

namespace cue::http {

/// Posts with a libcurl easy handle of its own (one transport per thread that posts). Every
/// failure comes back in `response::error` with libcurl's words; nothing throws.
class curl_transport {
 public:
  curl_transport() {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;  // once, thread-safe
    if (initialised) handle_.reset(curl_easy_init());
  }

  response post(const request& r) {
    response out;
    if (!handle_) {
      out.error = "libcurl could not be initialised";
      return out;
    }
    CURL* c = handle_.get();
    curl_easy_reset(c);
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
    auto add = [&](const std::string& line) {
      if (curl_slist* more = curl_slist_append(headers.get(), line.c_str())) {
        (void)headers.release();
        headers.reset(more);
      }
    };
    add("Content-Type: " + r.content_type);
    for (const auto& [name, value] : r.headers) add(name + ": " + value);
    add("Expect:");  // no 100-continue round trip
    char message[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded program
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::lround(r.timeout.count() * 1000)));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &curl_transport::collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
    const CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) {
      out.error = message[0] ? message : curl_easy_strerror(code);
      return out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    return out;
  }

 private:
  static size_t collect(char* data, size_t size, size_t n, void* body) {
    static_cast<std::string*>(body)->append(data, size * n);
    return size * n;
  }
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle_{nullptr, &curl_easy_cleanup};
};

static_assert(transport<curl_transport>);

}  // namespace cue::http
