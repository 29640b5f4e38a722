// The e-mail sink against a real SMTP server on 127.0.0.1 (Debian's aiosmtpd, tests/http/smtp_server.py).
#include <cue/sinks/email.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks/summary_report.hpp>
#include <cue/fit.hpp>

#include "../support.hpp"
#include "recorded.hpp"
#include "test_server.hpp"

using cue_test::batch;
using cue_test::scripted_learner;

namespace {
const std::vector<batch> one_batch{{1.0}};

cue_test::http_server smtp_server() { return cue_test::http_server("smtp", CUE_SMTP_SERVER, "/usr/bin/python3"); }

std::string header(const std::string& message, const std::string& name) {
  const auto at = message.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "(none)";
  const auto start = at + name.size() + 4;
  return message.substr(start, message.find("\r\n", start) - start);
}
}  // namespace

TEST_CASE("an alert is a plain-text e-mail: the headline as subject, the message as body") {
  auto server = smtp_server();
  const auto m = cue_test::spike_message();
  const cue::sinks::email sink{.url = "smtp://127.0.0.1:" + server.port(),
                               .from = "cue@example.org",
                               .to = {"ml-team@example.org", "oncall@example.org"}};
  REQUIRE(sink.deliver(m) == "");
  const auto received = server.requests();
  REQUIRE(received.size() == 1);
  const auto mail = nlohmann::json::parse(received[0]);
  CHECK(mail["from"] == "cue@example.org");
  CHECK(mail["to"] == std::vector<std::string>{"ml-team@example.org", "oncall@example.org"});
  const std::string message = mail["message"];
  CHECK(header(message, "Subject") == "[cue] WARNING val_loss spike");
  CHECK(header(message, "From") == "cue@example.org");
  CHECK(header(message, "To") == "ml-team@example.org, oncall@example.org");
  CHECK(header(message, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(message.substr(message.find("\r\n\r\n") + 4) ==
        "run r1 @ h, epoch 8/50: val_loss 0.9130 (best 0.4120)\r\nrule: val_loss > 1.5 * best\r\n");
}

TEST_CASE("a subject that is not ASCII is encoded as RFC 2047 says; the server reads it back") {
  auto server = smtp_server();
  cue::alert_message m;
  m.title = "验证损失 spike";
  m.host = "h";
  REQUIRE(cue::sinks::email{.url = "smtp://127.0.0.1:" + server.port(), .from = "a@b.c", .to = {"d@e.f"}}.deliver(m) == "");
  const std::string message = nlohmann::json::parse(server.requests().at(0))["message"];
  CHECK(header(message, "Subject") == "=?UTF-8?B?W2N1ZV0gV0FSTklORyDpqozor4HmjZ/lpLEgc3Bpa2U=?=");
}

TEST_CASE("summary_report mails the run's summary to a list at train end") {
  auto server = smtp_server();
  const auto dir = cue_test::fresh_dir("cue-summary-mail");
  scripted_learner learner{.val_loss = {0.9, 0.5}};
  cue::summary_report summary({.directory = dir.string(),
                               .sinks = {cue::sinks::email{.url = "smtp://127.0.0.1:" + server.port(),
                                                           .from = "cue@example.org",
                                                           .to = {"ml-team@example.org"}}},
                               .run = "nightly"});
  cue::fit(learner, one_batch, one_batch, {.epochs = 2, .verbose = 0}, summary);
  const auto received = server.requests();
  REQUIRE(received.size() == 1);
  const std::string message = nlohmann::json::parse(received[0])["message"];
  CHECK(header(message, "Subject") == "[cue] INFO training succeeded");
  CHECK_THAT(message, Catch::Contains("\r\n\r\nrun nightly @ ") && Catch::Contains(", epoch 2/2\r\nstatus: success\r\n") &&
                         Catch::Contains("val_loss: ended at its best, 0.5000 at epoch 2\r\n"));
}

TEST_CASE("no SMTP server is a failure with libcurl's reason, never the password") {
  std::string port;
  {
    auto gone = smtp_server();
    port = gone.port();
  }
  const std::string problem = cue::sinks::email{.url = "smtp://127.0.0.1:" + port,
                                                .from = "a@b.c",
                                                .to = {"d@e.f"},
                                                .username = "u",
                                                .password = "PASSWORD"}
                                  .deliver(cue::alert_message{});
  CHECK_THAT(problem, Catch::Contains("onnect"));
  CHECK(problem.find("PASSWORD") == std::string::npos);
}

TEST_CASE("a CR or LF in a title never makes a header: the subject is folded to one line") {
  auto server = smtp_server();
  cue::alert_message m;
  m.title = "diverged\r\nBcc: everyone@example.org\nX-Evil: 1";
  m.host = "h";
  REQUIRE(cue::sinks::email{.url = "smtp://127.0.0.1:" + server.port(), .from = "a@b.c", .to = {"d@e.f"}}.deliver(m) == "");
  const auto received = server.requests();
  REQUIRE(received.size() == 1);
  const auto mail = nlohmann::json::parse(received[0]);
  CHECK(mail["to"] == std::vector<std::string>{"d@e.f"});
  const std::string message = mail["message"];
  const std::string headers = message.substr(0, message.find("\r\n\r\n"));
  // Before: "Subject: ...\r\nBcc: everyone@example.org" was a header of its own.
  CHECK(headers.find("\r\nBcc:") == std::string::npos);
  CHECK(headers.find("\nX-Evil:") == std::string::npos);
  CHECK(header(message, "Subject") == "[cue] WARNING diverged Bcc: everyone@example.org X-Evil: 1");
}

TEST_CASE("the body goes with CRLF line ends, and a line starting with '.' arrives as it was") {
  auto server = smtp_server();
  cue::alert_message m;
  m.title = "t";
  m.host = "h";
  m.details.emplace_back("error", "first\n.hidden\n..two\n.");
  REQUIRE(cue::sinks::email{.url = "smtp://127.0.0.1:" + server.port(), .from = "a@b.c", .to = {"d@e.f"}}.deliver(m) == "");
  const auto received = server.requests();
  REQUIRE(received.size() == 1);
  const std::string message = nlohmann::json::parse(received[0])["message"];
  const std::string body = message.substr(message.find("\r\n\r\n") + 4);
  // Before: bare LFs, and cue's dot-stuffing on top of libcurl's made ".hidden" "..hidden".
  CHECK(body.find("error: first\r\n.hidden\r\n..two\r\n.\r\n") != std::string::npos);
  for (std::size_t at = body.find('\n'); at != std::string::npos; at = body.find('\n', at + 1)) CHECK(body[at - 1] == '\r');
}

TEST_CASE("an address with a line break or several addresses in one is refused before any mail") {
  for (const std::string bad : {"d@e.f\r\nRCPT TO:<evil@x.y>", "d@e.f, evil@x.y", "<d@e.f>", ""}) {
    const cue::sinks::email sink{.url = "smtp://127.0.0.1:9", .from = "a@b.c", .to = {bad}};
    CHECK_THROWS_WITH(sink.validate(), Catch::Contains("give one plain address"));
  }
  const cue::sinks::email bad_from{.url = "smtp://127.0.0.1:9", .from = "a@b.c\nBcc: x@y.z", .to = {"d@e.f"}};
  CHECK_THROWS_WITH(bad_from.validate(), Catch::Contains("give one plain address"));
}
