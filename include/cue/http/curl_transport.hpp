// cue::http::curl_transport: POST with libcurl (Debian: libcurl4-openssl-dev; CMake target
// cue::http), and the one way cue drives a libcurl transfer (the e-mail sink's too): bounded in
// time, cancellable, its answer's body bounded.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <stop_token>
#include <string>

#include <cue/http/transport.hpp>

namespace cue::http {

namespace detail {
/// libcurl's global set-up, once per process (thread-safe), before the first handle.
inline bool curl_ready() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

using easy_handle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
inline easy_handle new_easy_handle() { return {curl_ready() ? curl_easy_init() : nullptr, &curl_easy_cleanup}; }

/// The error a transfer ends with when its stop token asked it to stop.
inline constexpr const char* cancelled = "cancelled: the end of training's drain budget ran out";

/// Runs `easy`'s transfer through a multi handle, looking at `stop` every 50 ms, so that a stop
/// ends it at once (libcurl's own progress callback may wait a second between calls). Its other
/// limits (CURLOPT_TIMEOUT_MS) are the handle's. CURLE_ABORTED_BY_CALLBACK when stopped.
inline CURLcode perform(CURL* easy, std::stop_token stop) {
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(), &curl_multi_cleanup);
  if (!multi || curl_multi_add_handle(multi.get(), easy) != CURLM_OK) return CURLE_FAILED_INIT;
  CURLcode result = CURLE_OK;
  for (;;) {
    int running = 0;
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    int left = 0;
    bool finished = running == 0;
    while (CURLMsg* m = curl_multi_info_read(multi.get(), &left))
      if (m->msg == CURLMSG_DONE) {
        result = m->data.result;
        finished = true;
      }
    if (finished) break;
    if (stop.stop_requested()) {
      result = CURLE_ABORTED_BY_CALLBACK;
      // Removing the handle ends the connection, and SMTP's end (QUIT) waits for the server's
      // answer for what is left of the timeout: leave it none.
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 1L);
      break;
    }
    curl_multi_poll(multi.get(), nullptr, 0, 50, nullptr);
  }
  curl_multi_remove_handle(multi.get(), easy);
  return result;
}

inline long milliseconds(std::chrono::duration<double> d) {
  return static_cast<long>(std::lround(std::clamp(d.count(), 0.0, 1e9) * 1000));
}
}  // namespace detail

/// Posts with a libcurl easy handle of its own (one transport per thread that posts). Every
/// failure comes back in `response::error` with libcurl's words; nothing throws. The answer's
/// body is read up to `max_response_body` bytes; the transfer ends there.
class curl_transport {
 public:
  curl_transport() : handle_(detail::new_easy_handle()) {}

  response post(const request& r) { return post(r, {}); }

  response post(const request& r, std::stop_token stop) {
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
    body_sink sink{&out.body, false};
    curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded program
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, detail::milliseconds(r.timeout));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &curl_transport::collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    const CURLcode code = detail::perform(c, stop);
    if (code == CURLE_ABORTED_BY_CALLBACK) {
      out.error = detail::cancelled;
      return out;
    }
    if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && sink.full)) {  // a body cut short is an answer
      out.error = message[0] ? message : curl_easy_strerror(code);
      return out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    return out;
  }

 private:
  struct body_sink {
    std::string* body;
    bool full;
  };
  // Keeps the body up to max_response_body; past it, ends the transfer (returning less than given).
  static size_t collect(char* data, size_t size, size_t n, void* to) {
    auto* sink = static_cast<body_sink*>(to);
    const std::size_t room = max_response_body - std::min(max_response_body, sink->body->size());
    if (size * n > room) {
      sink->body->append(data, room);
      sink->full = true;
      return 0;
    }
    sink->body->append(data, size * n);
    return size * n;
  }
  detail::easy_handle handle_;
};

static_assert(transport<curl_transport>);

}  // namespace cue::http
