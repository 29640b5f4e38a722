// Starts tests/http/server.py (a real HTTP server on 127.0.0.1) for one test, and reads back what
// it received.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace cue_test {

class http_server {
 public:
  /// mode: "ok" (200), "error" (500), "errcode" (200 with WeCom's and DingTalk's refusal), "hang"
  /// (never answers). `script` and `python` start another server that prints its port and records
  /// what it receives (tests/http/smtp_server.py, with Debian's python3 and aiosmtpd).
  explicit http_server(const std::string& mode, std::string script = CUE_HTTP_SERVER, std::string python = "python3")
      : record_(std::filesystem::temp_directory_path() / ("cue-http-" + mode + "-" + std::to_string(::getpid()) + ".jsonl")) {
    std::filesystem::remove(record_);
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv{python.data(), script.data(), const_cast<char*>(mode.c_str()),
                            const_cast<char*>(record_.c_str()), nullptr};
    if (posix_spawnp(&pid_, python.c_str(), &actions, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + python + " " + script);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string port;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') port += c;
    ::close(out[0]);
    if (port.empty()) throw std::runtime_error("the test server did not start");
    url_ = "http://127.0.0.1:" + port;
    port_ = port;
  }
  http_server(const http_server&) = delete;
  ~http_server() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    std::filesystem::remove(record_);
  }
  [[nodiscard]] const std::string& url() const noexcept { return url_; }
  [[nodiscard]] const std::string& port() const noexcept { return port_; }
  /// Each request received, as a JSON line (method, path, headers, body in hex).
  [[nodiscard]] std::vector<std::string> requests() const {
    std::vector<std::string> lines;
    std::ifstream in(record_);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  std::filesystem::path record_;
  pid_t pid_ = 0;
  std::string url_, port_;
};

}  // namespace cue_test
