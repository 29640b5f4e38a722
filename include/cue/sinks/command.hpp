// An alert sink that runs a command with the message, as cue's JSON object, on its standard
// input (a script that pages someone, `logger`, `mail`). POSIX; needs nlohmann-json.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <cue/alerts/message.hpp>

extern char** environ;

namespace cue::sinks {

/// Runs `argv` (found on PATH) with the message on standard input: cue::to_json's object, one
/// line. Exit status 0 is a delivery; another status, a signal, or running past `timeout` (the
/// command is then killed) is a failure.
struct command {
  std::vector<std::string> argv;
  std::chrono::duration<double> timeout{30.0};

  [[nodiscard]] std::string describe() const { return "command " + (argv.empty() ? std::string() : argv[0]); }

  [[nodiscard]] std::string deliver(const alert_message& m) const {
    if (argv.empty()) return "the command is empty";
    int in[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    if (spawned != 0) {
      ::close(in[1]);
      return "cannot run " + argv[0] + ": " + std::strerror(spawned);
    }
    const std::string text = to_json(m).dump() + "\n";
    // A command that does not read its input must not stop the alert's worker: SIGPIPE is not
    // raised for this write (MSG_NOSIGNAL is for sockets; ignore EPIPE by blocking the signal).
    sigset_t pipe_signal, previous;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
    for (std::size_t written = 0; written < text.size();) {
      const ssize_t n = ::write(in[1], text.data() + written, text.size() - written);
      if (n <= 0 && errno != EINTR) break;
      if (n > 0) written += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    timespec none{0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &none) > 0) {}  // consume a pending SIGPIPE
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (done < 0 && errno != EINTR) return "waitpid: " + std::string(std::strerror(errno));
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return argv[0] + " ran longer than the timeout and was killed";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    if (WIFEXITED(status)) return argv[0] + " exited with status " + std::to_string(WEXITSTATUS(status));
    return argv[0] + " was ended by signal " + std::to_string(WTERMSIG(status));
  }
};

}  // namespace cue::sinks
