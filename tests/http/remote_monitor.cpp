// remote_monitor against a real HTTP server on 127.0.0.1 (tests/http/server.py).
#include <cue/callbacks/remote_monitor.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/config.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"
#include "recorded.hpp"
#include "test_server.hpp"

using cue_test::batch;
using cue_test::from_hex;
using cue_test::header;
using cue_test::headers_of;
using cue_test::scripted_learner;

namespace {
const std::vector<batch> one_batch{{1.0}};

}  // namespace

TEST_CASE("form mode posts what Keras posts, byte for byte, with the headers in order") {
  cue_test::http_server server("ok");
  scripted_learner learner{.val_loss = {0.9, std::numeric_limits<double>::quiet_NaN()}};
  std::ostringstream log;
  cue::remote_monitor monitor({.root = server.url(),
                               .headers = {{"X-Run", "r1"}, {"Authorization", "Bearer t"}},
                               .log = &log});
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0}, monitor);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  const auto first = nlohmann::json::parse(requests[0]);
  CHECK(first["method"] == "POST");
  CHECK(first["path"] == "/publish/epoch/end/");
  CHECK(header(first, "Content-Type") == "application/x-www-form-urlencoded");
  // The headers given, in the order given, after the content type.
  std::vector<std::string> names;
  for (const auto& [n, v] : headers_of(first)) names.push_back(n);
  const auto at = std::find(names.begin(), names.end(), "X-Run");
  REQUIRE(at != names.end());
  CHECK(*(at + 1) == "Authorization");
  CHECK(header(first, "Authorization") == "Bearer t");
  // From Python: urlencode({"data": json.dumps({"epoch": 0, ...})}).
  CHECK(from_hex(first["body"]) ==
        "data=%7B%22epoch%22%3A+0%2C+%22learning_rate%22%3A+0.1%2C+%22loss%22%3A+1.0%2C+%22val_loss%22%3A+0.9%7D");
  CHECK(from_hex(nlohmann::json::parse(requests[1])["body"]) ==
        "data=%7B%22epoch%22%3A+1%2C+%22learning_rate%22%3A+0.1%2C+%22loss%22%3A+1.0%2C+%22val_loss%22%3A+NaN%7D");
  CHECK(monitor.delivered() == 2);
  CHECK(log.str().empty());
}

TEST_CASE("JSON mode posts the JSON itself; a non-finite value is null, valid JSON") {
  cue_test::http_server server("ok");
  scripted_learner learner{.val_loss = {std::numeric_limits<double>::infinity()}};
  cue::remote_monitor monitor({.root = server.url(), .path = "/metrics", .send_as_json = true});
  cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0}, monitor);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const auto r = nlohmann::json::parse(requests[0]);
  CHECK(r["path"] == "/metrics");
  CHECK(header(r, "Content-Type") == "application/json");
  const std::string body = from_hex(r["body"]);
  CHECK(body == R"({"epoch": 0, "learning_rate": 0.1, "loss": 1.0, "val_loss": null})");
  CHECK(nlohmann::json::parse(body)["val_loss"].is_null());
}

TEST_CASE("val_* values of epochs without validation are not sent, as Keras has no such key") {
  cue_test::http_server server("ok");
  scripted_learner learner{.val_loss = {0.9, 0.8}};
  cue::remote_monitor monitor({.root = server.url(), .send_as_json = true});
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .validation_freq = 2, .verbose = 0}, monitor);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(from_hex(nlohmann::json::parse(requests[0])["body"]) == R"({"epoch": 0, "learning_rate": 0.1, "loss": 1.0})");
}

TEST_CASE("an HTTP error status is a warning naming the URL and the status, never an exception") {
  cue_test::http_server server("error");
  scripted_learner learner{.val_loss = {0.9, 0.8}};
  std::ostringstream log;
  cue::remote_monitor monitor({.root = server.url(), .log = &log});
  CHECK_NOTHROW(cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0}, monitor));
  CHECK(monitor.failed() == 2);
  CHECK_THAT(log.str(), Catch::Contains("cue: remote_monitor: could not post to " + server.url() +
                                        "/publish/epoch/end/: the server answered HTTP 500"));
}

TEST_CASE("a server that refuses the connection is a warning with libcurl's reason") {
  std::string url;
  {
    cue_test::http_server gone("ok");  // a port that was just free, and is again
    url = gone.url();
  }
  scripted_learner learner{.val_loss = {0.9}};
  std::ostringstream log;
  cue::remote_monitor monitor({.root = url, .log = &log});
  CHECK_NOTHROW(cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0}, monitor));
  CHECK(monitor.failed() == 1);
  CHECK_THAT(log.str(), Catch::Contains("could not post to " + url + "/publish/epoch/end/: "));
  CHECK_THAT(log.str(), Catch::Contains("onnect"));  // "Failed to connect ..." / "Connection refused"
}

TEST_CASE("a server that never answers does not hold training: posts queue, and the end reports them") {
  cue_test::http_server server("hang");
  scripted_learner learner{.val_loss = {0.9, 0.8, 0.7}};
  std::ostringstream log;
  {
    cue::remote_monitor monitor({.root = server.url(), .timeout = std::chrono::seconds(3),
                                 .drain_timeout = std::chrono::milliseconds(100), .log = &log});
    cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, monitor);
    // Epoch 0's post is still waiting for the server when the drain budget runs out: it is
    // cancelled in flight; epochs 1 and 2 never left the queue. All three count as not delivered.
    CHECK(monitor.failed() == 3);
  }
  CHECK_THAT(log.str(), Catch::Contains("3 of 3 posts to " + server.url() + "/publish/epoch/end/ not delivered by the "
                                        "end of training: 2 still queued when drain_timeout (0.1 s) ran out, 1 cancelled in flight"));
}

TEST_CASE("a full queue drops its oldest post rather than hold training, and the end says so") {
  cue_test::http_server server("hang");
  scripted_learner learner{.val_loss = {0.9, 0.8, 0.7, 0.6}};
  std::ostringstream log;
  {
    cue::remote_monitor monitor({.root = server.url(), .timeout = std::chrono::seconds(3),
                                 .drain_timeout = std::chrono::milliseconds(100), .queue_capacity = 1, .log = &log});
    cue::fit(learner, one_batch, one_batch, {.epochs = 4, .verbose = 0}, monitor);
    // One post waits for the server (cancelled when the budget runs out); of the three others, at
    // most one fits in the queue (which of them depends on when the worker took the first), and
    // the rest were dropped.
    CHECK(monitor.failed() == 4);
  }
  CHECK_THAT(log.str(), Catch::Contains("4 of 4 posts to " + server.url() + "/publish/epoch/end/ not delivered by the "
                                        "end of training: ") &&
                            (Catch::Contains(": 2 dropped from a full queue, 1 still queued when drain_timeout (0.1 s) ran out, "
                                             "1 cancelled in flight") ||
                             Catch::Contains(": 3 dropped from a full queue, 1 cancelled in flight")));
}

TEST_CASE("remote_monitor's options: Keras's defaults, checked, readable from JSON") {
  const cue::remote_monitor_options o;
  CHECK(o.root == "http://localhost:9000");
  CHECK(o.path == "/publish/epoch/end/");
  CHECK(o.field == "data");
  CHECK(o.headers.empty());
  CHECK_FALSE(o.send_as_json);
  CHECK_THROWS_WITH(cue::remote_monitor({.root = ""}), Catch::Contains("root is empty"));
  const auto j = cue::options_from_json<cue::remote_monitor_options>(nlohmann::json::parse(
      R"({"root": "http://monitor:9000", "headers": [["X-Run", "r1"], ["Authorization", "Bearer t"]], "timeout": 2.5})"));
  CHECK(j.root == "http://monitor:9000");
  REQUIRE(j.headers.size() == 2);
  CHECK(j.headers[1].first == "Authorization");
  CHECK(j.timeout.count() == 2.5);
}
