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
  /// mode: "ok" (200), "error" (500), "hang" (never answers).
  explicit http_server(const std::string& mode)
      : record_(std::filesystem::temp_directory_path() / ("cue-http-" + mode + "-" + std::to_string(::getpid()) + ".jsonl")) {
    std::filesystem::remove(record_);
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::string script = CUE_HTTP_SERVER;
    std::vector<char*> argv{const_cast<char*>("python3"), script.data(), const_cast<char*>(mode.c_str()),
                            const_cast<char*>(record_.c_str()), nullptr};
    if (posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start python3 " + script);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string port;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') port += c;
    ::close(out[0]);
    if (port.empty()) throw std::runtime_error("the test server did not start");
    url_ = "http://127.0.0.1:" + port;
  }
  http_server(const http_server&) = delete;
  ~http_server() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    std::filesystem::remove(record_);
  }
  [[nodiscard]] const std::string& url() const noexcept { return url_; }
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
  std::string url_;
};

}  // namespace cue_test
