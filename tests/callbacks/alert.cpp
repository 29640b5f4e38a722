// cue::alert's rules, edges, rate limits, state and failure handling, with sinks of the test's own
// (the sink concept is how users add theirs) and cue's command sink, which runs real processes.
#include <cue/callbacks/alert.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/lambda_callback.hpp>
#include <cue/callbacks/training_curves.hpp>
#include <cue/config.hpp>
#include <cue/fit.hpp>
#include <cue/sinks/command.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;

namespace {
const std::vector<batch> one_batch{{1.0}};
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// Keeps every message it is given; `fail` makes it answer with a reason, `raise` throw.
struct kept_sink {
  std::shared_ptr<std::vector<cue::alert_message>> got = std::make_shared<std::vector<cue::alert_message>>();
  std::string fail{};
  bool raise = false;
  std::string describe() const { return "kept"; }
  std::string deliver(const cue::alert_message& m) {
    if (raise) throw std::runtime_error("the sink broke");
    got->push_back(m);
    return fail;
  }
};

std::vector<std::string> states(const std::vector<cue::alert_message>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.state + ":" + std::to_string(m.epoch));
  return out;
}

// A clock the test moves by hand.
struct manual_clock {
  std::shared_ptr<std::chrono::steady_clock::time_point> at =
      std::make_shared<std::chrono::steady_clock::time_point>();
  auto operator()() const { return *at; }
  void advance(std::chrono::seconds s) const { *at += s; }
};
}  // namespace

TEST_CASE("the rules' metrics are what the alert monitors, checked like early stopping's") {
  using a = cue::alert<cue::rules::above<"val_loss">, cue::rules::non_finite<"loss">, cue::rules::stopped,
                       cue::rules::spike<"val_accuracy">>;
  STATIC_REQUIRE(std::is_same_v<a::monitored, cue::names<"val_loss", "loss", "val_accuracy">>);
  STATIC_REQUIRE(std::is_same_v<cue::alert<cue::rules::failed>::monitored, cue::names<>>);
}

TEST_CASE("an alert fires when its condition starts and resolves when it ends, never while it holds") {
  kept_sink sink;
  scripted_learner learner{.val_loss = {0.5, 12.0, 13.0, 14.0, 0.4, 11.0}};
  cue::alert alert({.sinks = {sink}, .run = "r1", .min_interval = std::chrono::seconds(0)},
                   cue::rules::above<"val_loss">{10.0});
  cue::fit(learner, one_batch, one_batch, {.epochs = 6, .verbose = 0}, alert);
  REQUIRE(states(*sink.got) == std::vector<std::string>{"firing:1", "resolved:4", "firing:5"});
  const auto& first = sink.got->front();
  CHECK(first.title == "val_loss above 10.0");
  CHECK(first.metric == "val_loss");
  CHECK(*first.value == 12.0);
  CHECK(*first.reference == 10.0);
  CHECK(first.rule == "val_loss > 10.0");
  CHECK(first.epochs == 6);
  CHECK(first.run == "r1");
  CHECK(cue::plain_text(first) == "[cue] WARNING val_loss above 10.0\nrun r1 @ " + cue::host_name() +
                                      ", epoch 2/6: val_loss 12.0000 (threshold 10.0000)\nrule: val_loss > 10.0");
  CHECK(cue::headline((*sink.got)[1]) == "[cue] RESOLVED val_loss above 10.0");
  CHECK(alert.sent() == 3);
  CHECK(alert.delivered() == 3);
}

TEST_CASE("without notify_resolved only the starts are sent") {
  kept_sink sink;
  scripted_learner learner{.val_loss = {12.0, 0.4, 11.0}};
  cue::alert alert({.sinks = {sink}, .notify_resolved = false, .min_interval = std::chrono::seconds(0)},
                   cue::rules::above<"val_loss">{10.0});
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, alert);
  CHECK(states(*sink.got) == std::vector<std::string>{"firing:0", "firing:2"});
}

TEST_CASE("below, spike against the best so far, and non-finite values") {
  kept_sink sink;
  // val_loss: best 0.5 at epoch 1; 0.9 > 1.5 * 0.5 is a spike; 0.7 is not; NaN is not finite.
  scripted_learner learner{.val_loss = {1.0, 0.5, 0.9, 0.7, not_a_number}};
  cue::alert alert({.sinks = {sink}, .min_interval = std::chrono::seconds(0)},
                   cue::rules::spike<"val_loss">{.factor = 1.5}, cue::rules::non_finite<"val_loss">{},
                   cue::rules::below<"val_loss">{0.6, "val_loss is low", cue::alert_level::info});
  cue::fit(learner, one_batch, one_batch, {.epochs = 5, .verbose = 0}, alert);
  std::vector<std::string> seen;
  for (const auto& m : *sink.got) seen.push_back(m.title + " " + m.state + ":" + std::to_string(m.epoch));
  CHECK(seen == std::vector<std::string>{"val_loss is low firing:1", "val_loss spike firing:2",
                                         "val_loss is low resolved:2", "val_loss spike resolved:3",
                                         "val_loss is not finite firing:4"});
  const auto& spike = (*sink.got)[1];
  CHECK(*spike.reference == 0.5);
  CHECK(spike.reference_name == "best");
  CHECK(spike.rule == "val_loss > 1.5 * best");
  CHECK(sink.got->back().level == cue::alert_level::error);
  CHECK(std::isnan(*sink.got->back().value));
  // A NaN is null in the JSON (JSON has none).
  CHECK(cue::to_json(sink.got->back())["value"].is_null());
}

TEST_CASE("a spike's factor and mode are checked when the alert is made") {
  kept_sink sink;
  CHECK_THROWS_WITH(cue::alert({.sinks = {sink}}, cue::rules::spike<"val_loss">{.factor = 0.5}),
                    "cue: rules::spike: factor must be > 1, got 0.5");
  CHECK_THROWS_WITH(cue::alert({.sinks = {sink}}, cue::rules::spike<"gnorm">{}),
                    Catch::Contains("mode automatic cannot tell whether 'gnorm'"));
  CHECK_THROWS_WITH(cue::alert({}, cue::rules::failed{}), Catch::Contains("cue: alert: no sinks"));
}

TEST_CASE("training stopped says why; training failed says the error") {
  kept_sink sink;
  scripted_learner learner{.val_loss = {1.0, 2.0, 3.0}};
  cue::alert alert({.sinks = {sink}}, cue::rules::stopped{}, cue::rules::failed{});
  cue::early_stopping<"val_loss"> early;
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, early, alert);
  REQUIRE(sink.got->size() == 1);
  const auto& m = sink.got->front();
  CHECK(m.title == "training stopped");
  CHECK(m.details.at(0) == std::pair<std::string, std::string>{"reason", "patience_exhausted"});
  CHECK(m.details.at(1).second.starts_with("Monitored metric val_loss did not improve"));

  kept_sink failures;
  cue::alert on_failure({.sinks = {failures}}, cue::rules::stopped{}, cue::rules::failed{});
  scripted_learner short_learner{.val_loss = {1.0}};  // the second epoch's test_step throws
  CHECK_THROWS(cue::fit(short_learner, one_batch, one_batch, {.epochs = 2, .verbose = 0}, on_failure));
  REQUIRE(failures.got->size() == 1);
  CHECK(failures.got->front().title == "training failed");
  CHECK(failures.got->front().level == cue::alert_level::error);
  CHECK(failures.got->front().details.at(0).first == "error");
}

TEST_CASE("the rate limits hold messages back and the next one sent says how many") {
  kept_sink sink;
  manual_clock clock;
  scripted_learner learner{.val_loss = {12.0, 0.4, 12.0, 0.4, 12.0, 0.4}};
  cue::alert alert({.sinks = {sink}, .min_interval = std::chrono::seconds(0), .max_per_minute = 2, .now = clock},
                   cue::rules::above<"val_loss">{10.0});
  // The clock stands still for three epochs, then a minute passes at each later epoch.
  int epoch = 0;
  cue::lambda_callback tick{cue::on_epoch_begin([&](auto&) {
    if (epoch++ >= 3) clock.advance(std::chrono::seconds(61));
  })};
  cue::fit(learner, one_batch, one_batch, {.epochs = 6, .verbose = 0}, tick, alert);
  // Epoch 2's start is held back (two in the minute), so its end at epoch 3 is not told either.
  REQUIRE(states(*sink.got) == std::vector<std::string>{"firing:0", "resolved:1", "firing:4", "resolved:5"});
  CHECK((*sink.got)[2].suppressed == 1);
  CHECK(cue::plain_text((*sink.got)[2]).ends_with("\n1 message held back by the rate limit since the last one"));
  CHECK((*sink.got)[3].suppressed == 0);
  CHECK(alert.suppressed() == 1);

  // Per rule: one start per min_interval; the end of a start that was sent is always told.
  kept_sink quiet;
  scripted_learner flapping{.val_loss = {12.0, 0.4, 12.0, 0.4}};
  cue::alert per_rule({.sinks = {quiet}, .min_interval = std::chrono::seconds(60), .now = manual_clock{}},
                      cue::rules::above<"val_loss">{10.0});
  cue::fit(flapping, one_batch, one_batch, {.epochs = 4, .verbose = 0}, per_rule);
  CHECK(states(*quiet.got) == std::vector<std::string>{"firing:0", "resolved:1"});
  CHECK(per_rule.suppressed() == 1);
}

TEST_CASE("a sink that fails or throws is reported and training goes on; the other sinks still get it") {
  kept_sink failing{.fail = "the service said no"}, throwing{.raise = true}, working;
  std::ostringstream log;
  scripted_learner learner{.val_loss = {12.0, 13.0}};
  cue::alert alert({.sinks = {failing, throwing, working}, .log = &log}, cue::rules::above<"val_loss">{10.0});
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0}, alert);
  CHECK(working.got->size() == 1);
  CHECK(alert.delivered() == 1);
  CHECK(alert.failed() == 2);
  CHECK(log.str() == "cue: alert: could not deliver WARNING 'val_loss above 10.0' to kept: the service said no\n"
                     "cue: alert: could not deliver WARNING 'val_loss above 10.0' to kept: the sink threw: the sink broke\n");
}

TEST_CASE("where a rule began and ceased to hold is marked on the curves, held back or not") {
  kept_sink sink;
  scripted_learner learner{.val_loss = {12.0, 13.0, 0.5}};
  const auto path = std::filesystem::temp_directory_path() / "cue-alert-curves" / "curves.svg";
  cue::training_curves curves({.path = path.string()});
  // The curves first: the alert's event for an epoch comes after their drawing, so the end redraws.
  cue::alert alert({.sinks = {sink}, .max_per_minute = 1}, cue::rules::above<"val_loss">{10.0});
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, curves, alert);
  REQUIRE(curves.marks().size() == 2);
  CHECK(curves.marks()[0].epoch == 0);
  CHECK(curves.marks()[0].kind == "alert-fired");
  CHECK(curves.marks()[0].text == "alert: val_loss above 10.0");
  CHECK(curves.marks()[1].epoch == 2);
  CHECK(curves.marks()[1].kind == "alert-resolved");
  std::ifstream in(path);
  const std::string svg(std::istreambuf_iterator<char>(in), {});
  CHECK_THAT(svg, Catch::Contains("<title>epoch 1: alert: val_loss above 10.0</title>"));
  CHECK_THAT(svg, Catch::Contains("<title>epoch 3: resolved: val_loss above 10.0</title>"));
  std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("a resolved message that fails to deliver is reported as the resolution, not as the alert") {
  kept_sink failing{.fail = "the service said no"};
  std::ostringstream log;
  scripted_learner learner{.val_loss = {12.0, 0.5}};
  cue::alert alert({.sinks = {failing}, .log = &log}, cue::rules::above<"val_loss">{10.0});
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0}, alert);
  CHECK(log.str() == "cue: alert: could not deliver WARNING 'val_loss above 10.0' to kept: the service said no\n"
                     "cue: alert: could not deliver RESOLVED 'val_loss above 10.0' to kept: the service said no\n");
}

TEST_CASE("what holds and a spike's best are kept in a backup, so a resumed run does not announce again") {
  kept_sink sink;
  scripted_learner learner{.val_loss = {1.0, 1.4}};  // above 1.2 from epoch 1; 1.4 is no spike
  cue::alert first({.sinks = {sink}, .min_interval = std::chrono::seconds(0)}, cue::rules::above<"val_loss">{1.2},
                   cue::rules::spike<"val_loss">{});
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0}, first);
  const auto saved = first.state_dict();
  CHECK(saved.at("rule0.holds") == "1");
  CHECK(saved.at("rule0.announced") == "1");
  CHECK(saved.at("rule1.best") == "1.0");

  kept_sink after;
  scripted_learner resumed{.val_loss = {0.0, 0.0, 13.0}};
  resumed.weights = 1;  // carries on at epoch 2
  cue::alert second({.sinks = {after}, .min_interval = std::chrono::seconds(0)}, cue::rules::above<"val_loss">{1.2},
                    cue::rules::spike<"val_loss">{});
  second.load_state_dict(saved);
  cue::fit(resumed, one_batch, one_batch, {.epochs = 3, .initial_epoch = 2, .verbose = 0}, second);
  // val_loss 13.0: still above 1.2 (no new message); a spike against the best 1.0 kept from before.
  REQUIRE(after.got->size() == 1);
  CHECK(after.got->front().title == "val_loss spike");
  CHECK(*after.got->front().reference == 1.0);
}

TEST_CASE("alert options are readable from JSON") {
  const auto o = cue::options_from_json<cue::alert_options>(
      nlohmann::json::parse(R"({"run": "r9", "notify_resolved": false, "min_interval": 5, "max_per_minute": 3})"));
  CHECK(o.run == "r9");
  CHECK_FALSE(o.notify_resolved);
  CHECK(o.min_interval.count() == 5.0);
  CHECK(o.max_per_minute == 3);
}

TEST_CASE("a secret comes from the environment; a missing one is named, never shown") {
  ::setenv("CUE_TEST_SECRET", "https://hooks.example/T0/B0/XYZ", 1);
  CHECK(cue::secret_from_env("CUE_TEST_SECRET") == "https://hooks.example/T0/B0/XYZ");
  ::unsetenv("CUE_TEST_SECRET");
  CHECK_THROWS_WITH(cue::secret_from_env("CUE_TEST_SECRET"),
                    "cue: the environment variable CUE_TEST_SECRET is not set; it should hold the secret "
                    "(a webhook URL or key)");
  CHECK(cue::redacted("https://hooks.slack.com/services/T0/B0/XYZ") == "https://hooks.slack.com/***");
  CHECK(cue::redacted("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K") == "https://qyapi.weixin.qq.com/***");
  CHECK(cue::redacted("smtp://user:pw@mail.example.com:587") == "smtp://***@mail.example.com:587");
  CHECK(cue::redacted("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
}

TEST_CASE("the command sink runs a real process with the message as JSON on its standard input") {
  const auto out = std::filesystem::temp_directory_path() / ("cue-alert-command-" + std::to_string(::getpid()));
  std::filesystem::remove(out);
  std::ostringstream log;
  scripted_learner learner{.val_loss = {12.0}};
  {
    cue::alert alert({.sinks = {cue::sinks::command{{"sh", "-c", "cat > '" + out.string() + "'"}},
                                cue::sinks::command{{"sh", "-c", "cat >/dev/null; exit 3"}},
                                cue::sinks::command{{"sleep", "10"}, std::chrono::milliseconds(200)},
                                cue::sinks::command{{"cue-no-such-command"}}},
                      .run = "r1",
                      .log = &log},
                     cue::rules::above<"val_loss">{10.0});
    cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0}, alert);
    CHECK(alert.delivered() == 1);
    CHECK(alert.failed() == 3);
  }
  std::ifstream in(out);
  std::string line;
  REQUIRE(std::getline(in, line));
  const auto j = nlohmann::json::parse(line);
  CHECK(j["source"] == "cue");
  CHECK(j["kind"] == "alert");
  CHECK(j["state"] == "firing");
  CHECK(j["title"] == "val_loss above 10.0");
  CHECK(j["level"] == "WARNING");
  CHECK(j["run"] == "r1");
  CHECK(j["epoch"] == 0);
  CHECK(j["metric"] == "val_loss");
  CHECK(j["value"] == 12.0);
  CHECK(j["reference"] == 10.0);
  CHECK(j["rule"] == "val_loss > 10.0");
  CHECK(j["time"].get<std::string>().ends_with("Z"));
  std::filesystem::remove(out);
  const std::string report = log.str();
  CHECK_THAT(report, Catch::Contains("to command sh: sh exited with status 3"));
  CHECK_THAT(report, Catch::Contains("to command sleep: sleep ran longer than its timeout (0.2 s) and was killed"));
  CHECK_THAT(report, Catch::Contains("to command cue-no-such-command: cannot run cue-no-such-command: No such file"));
}

TEST_CASE("a full queue drops its oldest message rather than wait; what was lost is reported at the end") {
  std::ostringstream log;
  scripted_learner learner{.val_loss = {12.0, 0.4, 12.0, 0.4, 12.0}};
  // Each delivery takes 300 ms; the queue holds one: of the five messages, the first is being
  // delivered while the next ones arrive, and only the last of those survives.
  cue::alert alert({.sinks = {cue::sinks::command{{"sh", "-c", "cat >/dev/null; sleep 0.3"}}},
                    .min_interval = std::chrono::seconds(0),
                    .queue_capacity = 1,
                    .log = &log},
                   cue::rules::above<"val_loss">{10.0});
  cue::fit(learner, one_batch, one_batch, {.epochs = 5, .verbose = 0}, alert);
  CHECK(alert.sent() == 5);
  CHECK(alert.delivered() + alert.failed() == 5);
  CHECK(alert.failed() >= 2);
  CHECK_THAT(log.str(), Catch::Contains("dropped from a full queue"));
}
