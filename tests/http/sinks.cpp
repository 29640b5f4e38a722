// The alert sinks against a real HTTP server on 127.0.0.1 (tests/http/server.py): each service's
// payload byte for byte, its way of saying no, and secrets kept out of every report.
#include <cue/sinks/chat.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/alert.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"
#include "recorded.hpp"
#include "test_server.hpp"

using cue_test::batch;
using cue_test::from_hex;
using cue_test::header;
using cue_test::scripted_learner;
using cue_test::spike_message;

namespace {
const std::vector<batch> one_batch{{1.0}};

nlohmann::json only_request(const cue_test::http_server& server) {
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  return nlohmann::json::parse(requests[0]);
}

std::string python_sign(const std::string& timestamp, const std::string& secret) {
  // DingTalk's documented Python, run by Debian's python3: an implementation independent of cue's.
  const std::string command =
      "/usr/bin/python3 -c \"import base64, hashlib, hmac, sys, urllib.parse; t, s = sys.argv[1], sys.argv[2]; "
      "print(urllib.parse.quote_plus(base64.b64encode(hmac.new(s.encode(), f'{t}\\n{s}'.encode(), "
      "hashlib.sha256).digest())))\" " + timestamp + " '" + secret + "'";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, p)) out += buffer;
    ::pclose(p);
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}
}  // namespace

TEST_CASE("Slack: {\"text\": ...}, the message in plain text") {
  cue_test::http_server server("ok");
  CHECK(cue::sinks::slack{server.url() + "/services/T0/B0/X"}.deliver(spike_message()).empty());
  const auto r = only_request(server);
  CHECK(r["path"] == "/services/T0/B0/X");
  CHECK(header(r, "Content-Type") == "application/json");
  CHECK(from_hex(r["body"]) ==
        R"({"text":"[cue] WARNING val_loss spike\nrun r1 @ h, epoch 8/50: val_loss 0.9130 (best 0.4120)\nrule: val_loss &gt; 1.5 * best"})");
}

TEST_CASE("WeCom: Markdown with the level coloured, or text with its mentions") {
  cue_test::http_server server("ok");
  const std::string url = server.url() + "/cgi-bin/webhook/send?key=K";
  CHECK(cue::sinks::wecom{url}.deliver(spike_message()).empty());
  CHECK(cue::sinks::wecom{.url = url, .markdown = false, .mentioned_list = {"@all"}, .mentioned_mobile_list = {"13800001111"}}
            .deliver(spike_message())
            .empty());
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  const auto md = nlohmann::json::parse(requests[0]);
  CHECK(md["path"] == "/cgi-bin/webhook/send?key=K");
  CHECK(from_hex(md["body"]) ==
        R"({"msgtype":"markdown","markdown":{"content":"**[cue] <font color=\"comment\">WARNING</font> val_loss spike**\n> run r1 @ h, epoch 8/50: val_loss 0.9130 (best 0.4120)\n> `rule: val_loss > 1.5 * best`"}})");
  CHECK(from_hex(nlohmann::json::parse(requests[1])["body"]) ==
        R"({"msgtype":"text","text":{"content":"[cue] WARNING val_loss spike\nrun r1 @ h, epoch 8/50: val_loss 0.9130 (best 0.4120)\nrule: val_loss > 1.5 * best","mentioned_list":["@all"],"mentioned_mobile_list":["13800001111"]}})");
}

TEST_CASE("WeCom and DingTalk: 200 with a non-zero errcode is a failed delivery, reported without the key") {
  cue_test::http_server server("errcode");
  const std::string problem = cue::sinks::wecom{server.url() + "/send?key=SECRETKEY"}.deliver(spike_message());
  CHECK(problem == "the service refused the message: errcode 310000 sign not match, more: [https://ding-doc.dingtalk.com]");
  std::ostringstream log;
  scripted_learner learner{.val_loss = {12.0}};
  {
    cue::alert alert({.sinks = {cue::sinks::dingtalk{.url = server.url() + "/robot/send?access_token=SECRETKEY",
                                                     .secret = "SECsecret"}},
                      .log = &log},
                     cue::rules::above<"val_loss">{10.0});
    cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0}, alert);
    CHECK(alert.failed() == 1);
  }
  CHECK(log.str() == "cue: alert: could not deliver WARNING 'val_loss above 10.0' to DingTalk robot " + server.url() +
                         "/***: the service refused the message: errcode 310000 sign not match, more: "
                         "[https://ding-doc.dingtalk.com]\n");
}

TEST_CASE("DingTalk: Markdown, its URL signed with HMAC-SHA256 as DingTalk's documentation computes it") {
  cue_test::http_server server("ok");
  const std::string secret = "SEC0123456789abcdef+/=";
  CHECK(cue::sinks::dingtalk{.url = server.url() + "/robot/send?access_token=T", .secret = secret, .at_mobiles = {"138"}}
            .deliver(spike_message())
            .empty());
  const auto r = only_request(server);
  const std::string path = r["path"];
  const std::string prefix = "/robot/send?access_token=T&timestamp=";
  REQUIRE(path.starts_with(prefix));
  const auto sign_at = path.find("&sign=");
  REQUIRE(sign_at != std::string::npos);
  const std::string timestamp = path.substr(prefix.size(), sign_at - prefix.size());
  CHECK(timestamp.size() == 13);  // milliseconds since 1970
  CHECK(path.substr(sign_at + 6) == python_sign(timestamp, secret));
  CHECK(from_hex(r["body"]) ==
        R"({"msgtype":"markdown","markdown":{"title":"[cue] WARNING val_loss spike","text":"**[cue] WARNING val_loss spike**\n> run r1 @ h, epoch 8/50: val_loss 0.9130 (best 0.4120)\n> rule: val_loss &#62; 1.5 &#42; best"},"at":{"atMobiles":["138"],"isAtAll":false}})");
}

TEST_CASE("Teams: an Adaptive Card in a message") {
  cue_test::http_server server("ok");
  auto m = spike_message();
  m.state = "resolved";
  CHECK(cue::sinks::teams{server.url() + "/workflows/x"}.deliver(m).empty());
  const auto body = nlohmann::json::parse(from_hex(only_request(server)["body"]));
  CHECK(body["type"] == "message");
  REQUIRE(body["attachments"].size() == 1);
  CHECK(body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive");
  const auto& card = body["attachments"][0]["content"];
  CHECK(card["type"] == "AdaptiveCard");
  CHECK(card["version"] == "1.4");
  REQUIRE(card["body"].size() == 3);
  // Text goes in TextRuns, which Adaptive Cards never read as Markdown.
  for (const auto& block : card["body"]) {
    CHECK(block["type"] == "RichTextBlock");
    REQUIRE(block["inlines"].size() == 1);
    CHECK(block["inlines"][0]["type"] == "TextRun");
  }
  CHECK(card["body"][0]["inlines"][0]["text"] == "[cue] RESOLVED val_loss spike");
  CHECK(card["body"][0]["inlines"][0]["color"] == "Good");
  CHECK(card["body"][1]["inlines"][0]["text"] == "run r1 @ h, epoch 8/50: val_loss 0.9130 (best 0.4120)");
  CHECK(card["body"][2]["inlines"][0]["text"] == "rule: val_loss > 1.5 * best");
}

TEST_CASE("a webhook gets cue's JSON object, with the headers given in order") {
  cue_test::http_server server("ok");
  CHECK(cue::sinks::webhook{server.url() + "/hook", {{"X-Team", "ml"}, {"Authorization", "Bearer t"}}}
            .deliver(spike_message())
            .empty());
  const auto r = only_request(server);
  CHECK(header(r, "Authorization") == "Bearer t");
  CHECK(header(r, "X-Team") == "ml");
  CHECK(from_hex(r["body"]) ==
        R"({"source":"cue","kind":"alert","state":"firing","title":"val_loss spike","level":"WARNING","run":"r1","host":"h","epoch":7,"epochs":50,"step":3500,"metric":"val_loss","value":0.913,"reference":0.412,"rule":"val_loss > 1.5 * best","details":{},"suppressed":0,"time":"2026-08-30T12:00:00Z","text":"[cue] WARNING val_loss spike\nrun r1 @ h, epoch 8/50: val_loss 0.9130 (best 0.4120)\nrule: val_loss > 1.5 * best"})");
}

TEST_CASE("WeCom gives each level its colour and each state its word") {
  auto head = [](cue::alert_level level, const char* state) {
    cue_test::http_server server("ok");
    auto m = spike_message();
    m.level = level;
    m.state = state;
    CHECK(cue::sinks::wecom{server.url() + "/cgi-bin/webhook/send?key=k"}.deliver(m).empty());
    const std::string content = nlohmann::json::parse(from_hex(only_request(server)["body"]))["markdown"]["content"];
    return content.substr(0, content.find("</font>") + 7);
  };
  CHECK(head(cue::alert_level::error, "firing") == R"(**[cue] <font color="warning">ERROR</font>)");
  CHECK(head(cue::alert_level::warning, "firing") == R"(**[cue] <font color="comment">WARNING</font>)");
  CHECK(head(cue::alert_level::info, "firing") == R"(**[cue] <font color="info">INFO</font>)");
  CHECK(head(cue::alert_level::error, "resolved") == R"(**[cue] <font color="info">RESOLVED</font>)");
}

TEST_CASE("a value reads as Keras's progress bar prints it; the JSON keeps every digit") {
  cue_test::http_server server("ok");
  auto m = spike_message();
  m.value = 1.6562307168627963;
  m.reference = 0.0003830327728791299;
  CHECK(cue::sinks::webhook{server.url() + "/hook"}.deliver(m).empty());
  const auto body = nlohmann::json::parse(from_hex(only_request(server)["body"]));
  CHECK(body["value"].get<double>() == 1.6562307168627963);
  CHECK(body["reference"].get<double>() == 0.0003830327728791299);
  CHECK(body["text"].get<std::string>().find("val_loss 1.6562 (best 3.8303e-04)") != std::string::npos);
}

TEST_CASE("an error status, a refused connection and a silent server are failures naming the cause, never the key") {
  std::ostringstream log;
  std::string gone_url;
  {
    cue_test::http_server gone("ok");  // a port that was just free, and is again
    gone_url = gone.url();
  }
  cue_test::http_server failing("error"), hanging("hang");
  scripted_learner learner{.val_loss = {12.0}};
  {
    cue::alert alert({.sinks = {cue::sinks::slack{failing.url() + "/services/SECRETKEY"},
                                cue::sinks::slack{gone_url + "/services/SECRETKEY"},
                                cue::sinks::slack{.url = hanging.url() + "/services/SECRETKEY", .timeout = std::chrono::milliseconds(300)}},
                      .log = &log},
                     cue::rules::above<"val_loss">{10.0});
    cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0}, alert);
    CHECK(alert.failed() == 3);
  }
  const std::string report = log.str();
  CHECK_THAT(report, Catch::Contains("to Slack webhook " + failing.url() + "/***: the server answered HTTP 500"));
  CHECK_THAT(report, Catch::Contains("to Slack webhook " + gone_url + "/***: ") && Catch::Contains("onnect"));
  CHECK_THAT(report, Catch::Contains("to Slack webhook " + hanging.url() + "/***: ") && Catch::Contains("imed out"));
  CHECK(report.find("SECRETKEY") == std::string::npos);
}

TEST_CASE("a silent server does not hold the end of training past drain_timeout; what is left is reported") {
  cue_test::http_server hanging("hang");
  std::ostringstream log;
  scripted_learner learner{.val_loss = {12.0, 0.4, 12.0}};
  {
    cue::alert alert({.sinks = {cue::sinks::webhook{.url = hanging.url(), .timeout = std::chrono::seconds(2)}},
                      .min_interval = std::chrono::seconds(0),
                      .drain_timeout = std::chrono::milliseconds(500),
                      .log = &log},
                     cue::rules::above<"val_loss">{10.0});
    cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, alert);
    CHECK(alert.sent() == 3);
    // The first was cancelled in flight when the budget ran out; two were still queued behind it.
    CHECK(alert.failed() == 3);
    CHECK_THAT(log.str(), Catch::Contains("cue: alert: 3 of 3 messages not delivered by the end of training: "
                                          "2 still queued when drain_timeout (0.5 s) ran out, 1 cancelled in flight"));
  }
}

TEST_CASE("summary_report sends the run's summary through the sinks at train end") {
  cue_test::http_server server("ok");
  const auto dir = cue_test::fresh_dir("cue-summary-push");
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.7}};
  cue::summary_report summary({.directory = dir.string(), .sinks = {cue::sinks::webhook{server.url() + "/summary"}}, .run = "r7"});
  cue::fit(learner, one_batch, one_batch, {.epochs = 3, .verbose = 0}, summary);
  const auto body = nlohmann::json::parse(from_hex(only_request(server)["body"]));
  CHECK(body["kind"] == "summary");
  CHECK(body["state"] == "success");
  CHECK(body["title"] == "training succeeded, val_loss not at its best");  // 0.7 after 0.5
  CHECK(body["level"] == "INFO");
  CHECK(body["run"] == "r7");
  CHECK(body["epoch"] == 2);
  CHECK(body["epochs"] == 3);
  CHECK(body["details"]["status"] == "success");
  CHECK(body["details"]["val_loss"] == "ended at 0.7000 (epoch 3), 0.2000 above its best, 0.5000 at epoch 2");
  CHECK(body["details"]["duration"].get<std::string>().ends_with(" s"));
  CHECK(body["text"].get<std::string>().starts_with("[cue] INFO training succeeded, val_loss not at its best\nrun r7 @ "));
}

TEST_CASE("a summary sink that never answers holds the end of training for push_timeout at most") {
  cue_test::http_server hanging("hang");
  const auto dir = cue_test::fresh_dir("cue-summary-push-hang");
  scripted_learner learner{.val_loss = {0.9}};
  std::ostringstream log;
  {
    cue::summary_report summary({.directory = dir.string(),
                                 .sinks = {cue::sinks::webhook{.url = hanging.url(), .timeout = std::chrono::seconds(2)}},
                                 .push_timeout = std::chrono::milliseconds(100),
                                 .log = &log});
    cue::fit(learner, one_batch, one_batch, {.epochs = 1, .verbose = 0}, summary);
    CHECK(std::filesystem::exists(dir / "summary.json"));  // the files do not wait for the network
  }  // the send under way was cancelled at push_timeout, not left to run to its own timeout
  CHECK(log.str() == "cue: summary_report: sending the summary took longer than push_timeout (0.1 s); it was cancelled\n");
}

TEST_CASE("hostile text in a message is never markup: no channel ping, no disguised link, no tag") {
  cue_test::http_server server("ok");
  cue::alert_message m;
  m.title = "failed";
  m.host = "h";
  m.details.emplace_back("error", "<!channel> <https://evil.example/login|click to re-authenticate> & <font color=\"info\">ok</font> [x](https://evil.example) ![i](https://evil.example/i.png) **bold**");
  CHECK(cue::sinks::slack{server.url() + "/slack"}.deliver(m).empty());
  CHECK(cue::sinks::wecom{server.url() + "/wecom"}.deliver(m).empty());
  CHECK(cue::sinks::dingtalk{.url = server.url() + "/ding"}.deliver(m).empty());
  CHECK(cue::sinks::teams{server.url() + "/teams"}.deliver(m).empty());
  const auto requests = server.requests();
  REQUIRE(requests.size() == 4);
  const auto text_of = [&](std::size_t i) { return nlohmann::json::parse(from_hex(nlohmann::json::parse(requests[i])["body"])); };
  // Slack: &, < and > escaped as Slack documents, so "<!channel>" and "<url|text>" are plain text.
  const std::string slack = text_of(0)["text"];
  CHECK(slack.find("&lt;!channel&gt; &lt;https://evil.example/login|click to re-authenticate&gt; &amp; ") != std::string::npos);
  CHECK(slack.find('<') == std::string::npos);
  // WeCom: the hostile piece in a code span, where WeCom reads no tag, link or mention.
  const std::string wecom = text_of(1)["markdown"]["content"];
  CHECK(wecom.find("> `error: <!channel> <https://evil.example/login|click to re-authenticate> & <font color=\"info\">ok</font> "
                   "[x](https://evil.example) ![i](https://evil.example/i.png) **bold**`") != std::string::npos);
  // DingTalk: every markup character as a character reference.
  const std::string ding = text_of(2)["markdown"]["text"];
  const std::string body = ding.substr(ding.find("> error: ") + 2);  // the hostile line, after its quote marker
  for (char c : std::string("<>[]*`!")) CHECK(body.find(c) == std::string::npos);
  CHECK(body.find("&#60;&#33;channel&#62;") != std::string::npos);
  // Teams: TextRuns, which Adaptive Cards never read as Markdown.
  const auto teams = text_of(3)["attachments"][0]["content"]["body"];
  CHECK(teams[2]["inlines"][0]["type"] == "TextRun");
  CHECK(teams[2]["inlines"][0]["text"].get<std::string>().starts_with("error: <!channel> <https://evil.example/login"));
}
