// cue::heartbeat against a real HTTP server on 127.0.0.1 (tests/http/server.py).
#include <cue/callbacks/heartbeat.hpp>

#include <chrono>
#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/lambda_callback.hpp>
#include <cue/callbacks/terminate_on_nan.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"
#include "recorded.hpp"
#include "test_server.hpp"

using cue_test::batch;
using cue_test::from_hex;
using cue_test::scripted_learner;

namespace {
// A clock the test moves: each training batch takes 25 s of it.
struct manual_clock {
  std::shared_ptr<std::chrono::steady_clock::time_point> t = std::make_shared<std::chrono::steady_clock::time_point>();
  std::chrono::steady_clock::time_point operator()() const { return *t; }
  void advance(std::chrono::seconds s) const { *t += s; }
};
struct ping {
  std::string path, body;
};
std::vector<ping> pings(const cue_test::http_server& server) {
  std::vector<ping> out;
  for (const auto& line : server.requests()) {
    const auto r = nlohmann::json::parse(line);
    out.push_back({r["path"].get<std::string>(), from_hex(r["body"])});
  }
  return out;
}
}  // namespace

TEST_CASE("a start, a ping each interval while batches end, and a success at the end") {
  cue_test::http_server server("ok");
  manual_clock clock;
  scripted_learner learner{.val_loss = std::vector<double>(8, 0.5)};
  const std::vector<batch> four(4, batch{1.0}), one{{1.0}};
  cue::lambda_callback ticks{cue::on_train_batch_end([&](auto&) { clock.advance(std::chrono::seconds(25)); })};
  cue::heartbeat beat({.url = server.url() + "/ping/abc", .interval = std::chrono::seconds(60), .now = clock});
  cue::fit(learner, four, one, {.epochs = 2, .verbose = 0}, ticks, beat);
  const auto got = pings(server);
  // 8 batches of 25 s: due at 75 s (batch 3) and 150 s (batch 6, epoch 2's second).
  REQUIRE(got.size() == 4);
  CHECK(got[0].path == "/ping/abc/start");
  CHECK(got[0].body == "started: 2 epochs planned");
  CHECK(got[1].path == "/ping/abc");
  CHECK(got[1].body == "epoch 1/2, batch 3");
  CHECK(got[2].body == "epoch 2/2, batch 2");
  CHECK(got[3].path == "/ping/abc");
  CHECK(got[3].body == "ended after epoch 2/2");
  CHECK(beat.delivered() == 4);
  CHECK(beat.failed() == 0);
}

TEST_CASE("a fit that throws, or that a non-finite loss stopped, pings the failure URL") {
  cue_test::http_server server("ok");
  scripted_learner learner{.val_loss = {0.5, 0.5, 0.5}};
  const std::vector<batch> one{{1.0}};
  cue::lambda_callback boom{cue::on_epoch_begin([](auto& ctx) {
    if (ctx.epoch() == 1) throw std::runtime_error("the data ran dry");
  })};
  cue::heartbeat beat({.url = server.url() + "/ping/abc"});
  CHECK_THROWS(cue::fit(learner, one, one, {.epochs = 3, .verbose = 0}, boom, beat));
  auto got = pings(server);
  REQUIRE(got.size() == 2);
  CHECK(got[1].path == "/ping/abc/fail");
  CHECK(got[1].body == "failed at epoch 2/3: the data ran dry");

  cue_test::http_server nan_server("ok");
  struct nan_learner {
    cue::logs<"loss"> train_step(const batch&) { return {std::nan("")}; }
  } diverging;
  cue::fit(diverging, one, {.epochs = 3, .verbose = 0}, cue::terminate_on_nan{},
           cue::heartbeat({.url = nan_server.url() + "/hc", .start_suffix = ""}));
  got = pings(nan_server);
  REQUIRE(got.size() == 1);  // no start ping: its suffix is empty
  CHECK(got[0].path == "/hc/fail");
  CHECK(got[0].body == "ended after epoch 1/3, stopped: non_finite_loss");
}

TEST_CASE("a server that never answers holds the end of training for drain_timeout at most, and is reported") {
  cue_test::http_server hanging("hang");
  std::ostringstream log;
  scripted_learner learner{.val_loss = {0.5}};
  const std::vector<batch> one{{1.0}};
  const auto start = std::chrono::steady_clock::now();
  cue::heartbeat beat({.url = hanging.url() + "/ping/abc", .timeout = std::chrono::seconds(30),
                       .drain_timeout = std::chrono::milliseconds(300), .log = &log});
  cue::fit(learner, one, one, {.epochs = 1, .verbose = 0}, beat);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 0.3 + cue::cancel_grace.count() + 1.0);
  CHECK_THAT(log.str(), Catch::Contains("cue: heartbeat: the last ping did not end within drain_timeout (0.3 s)"));
  CHECK(log.str().find("/ping/abc") == std::string::npos);  // the URL is a secret
}

TEST_CASE("heartbeat's options are checked") {
  CHECK_THROWS_WITH(cue::heartbeat({}), Catch::Contains("url is empty"));
  CHECK_THROWS_WITH(cue::heartbeat({.url = "http://x", .interval = std::chrono::seconds(0)}),
                    Catch::Contains("interval must be > 0"));
  CHECK_THROWS_WITH(cue::heartbeat({.url = "http://x", .now = {}}), Catch::Contains("the clock"));
}
