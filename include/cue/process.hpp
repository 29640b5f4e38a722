// cue::run_process: the one way cue runs a command (mirror_checkpoints' copy, the command sink):
// bounded in time, its input written within that time, its output kept, its whole process group
// ended when the time is up or the caller cancels, and always reaped. POSIX.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace cue {

/// How a command ended.
struct process_result {
  bool ok = false;       ///< it exited with status 0
  std::string problem;   ///< when not ok: why ("exited with status 3", "ran longer than 2 s and was killed")
  std::string output;    ///< the last lines it wrote to standard output and error (at most `process_output_lines`)
};

/// The lines of a command's output kept for its report, and the bytes they may take.
inline constexpr std::size_t process_output_lines = 10;
inline constexpr std::size_t process_output_bytes = 4096;

namespace detail {
// The end of a stream: the last `process_output_bytes` bytes, cut to whole lines, at most
// `process_output_lines` of them.
inline std::string last_lines(const std::string& tail, bool cut_at_front) {
  std::string text = tail;
  if (cut_at_front) {
    const auto nl = text.find('\n');
    text = nl == std::string::npos ? text : text.substr(nl + 1);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::size_t lines = 0, at = text.size();
  while (at > 0) {
    const auto nl = text.rfind('\n', at - 1);
    if (++lines == process_output_lines) {
      if (nl != std::string::npos) text = text.substr(nl + 1);
      break;
    }
    if (nl == std::string::npos) break;
    at = nl;
  }
  return text;
}

inline std::string seconds_text(std::chrono::duration<double> d) {
  char out[32];
  std::snprintf(out, sizeof out, "%g", d.count());
  return out;
}

// SIGPIPE, for this thread, while a command may close its input early: the write then fails
// with EPIPE instead of ending the program.
class sigpipe_blocked {
 public:
  sigpipe_blocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  sigpipe_blocked(const sigpipe_blocked&) = delete;
  sigpipe_blocked& operator=(const sigpipe_blocked&) = delete;
  ~sigpipe_blocked() {
    timespec none{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &none) > 0) {
    }  // the one a failed write raised, consumed before the signal comes back
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

 private:
  sigset_t pipe_{}, previous_{};
};
}  // namespace detail

/// Runs `argv` (its first word found on PATH) in a process group of its own, with `input` on its
/// standard input (empty: /dev/null) and its standard output and error kept (the last lines, in
/// `output`). It has `timeout` for all of it, writing its input included; when that passes, or
/// when `stop` asks, its process group gets SIGTERM, then SIGKILL 0.2 s later, and it is reaped.
/// Never throws for what the command does; returns why it failed.
[[nodiscard]] inline process_result run_process(const std::vector<std::string>& argv, std::string_view input,
                                                std::chrono::duration<double> timeout, std::stop_token stop = {}) {
  using clock = std::chrono::steady_clock;
  process_result result;
  if (argv.empty() || argv[0].empty()) {
    result.problem = "the command is empty";
    return result;
  }
  const std::string& name = argv[0];
  int in[2] = {-1, -1}, out[2] = {-1, -1};
  if ((!input.empty() && ::pipe2(in, O_CLOEXEC) != 0) || ::pipe2(out, O_CLOEXEC) != 0) {
    result.problem = std::string("cannot make a pipe: ") + std::strerror(errno);
    for (int fd : {in[0], in[1]})
      if (fd >= 0) ::close(fd);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (input.empty())
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setpgroup(&attributes, 0);  // its own group, ended as one
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  detail::sigpipe_blocked no_sigpipe;
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (in[0] >= 0) ::close(in[0]);
  ::close(out[1]);
  if (spawned != 0) {
    if (in[1] >= 0) ::close(in[1]);
    ::close(out[0]);
    result.problem = "cannot run " + name + ": " + std::strerror(spawned);
    return result;
  }
  if (in[1] >= 0) ::fcntl(in[1], F_SETFL, ::fcntl(in[1], F_GETFL) | O_NONBLOCK);
  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);

  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                           std::min(timeout, std::chrono::duration<double>(1e9)));
  std::string tail;
  bool cut = false;
  std::size_t written = 0;
  bool input_refused = false;
  int status = 0;
  bool exited = false;
  const char* ended_by = nullptr;  // "timeout" or "stop"
  auto read_output = [&] {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(out[0], buffer, sizeof buffer);
      if (n > 0) {
        tail.append(buffer, static_cast<std::size_t>(n));
        if (tail.size() > process_output_bytes) {
          tail.erase(0, tail.size() - process_output_bytes);
          cut = true;
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) {
        ::close(out[0]);
        out[0] = -1;
      }
      return;
    }
  };
  while (!exited) {
    if (in[1] >= 0 && written == input.size()) {
      ::close(in[1]);
      in[1] = -1;
    }
    pollfd fds[2];
    nfds_t count = 0;
    if (in[1] >= 0) fds[count++] = {in[1], POLLOUT, 0};
    if (out[0] >= 0) fds[count++] = {out[0], POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    const int wait_ms = static_cast<int>(std::clamp<long long>(left, 0, 20));
    if (count > 0)
      (void)::poll(fds, count, wait_ms);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    for (nfds_t k = 0; k < count; ++k) {
      if (fds[k].fd == in[1] && (fds[k].revents & (POLLOUT | POLLERR | POLLHUP))) {
        const ssize_t n = ::write(in[1], input.data() + written, input.size() - written);
        if (n > 0) {
          written += static_cast<std::size_t>(n);
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {  // EPIPE: it closed its input
          input_refused = true;
          ::close(in[1]);
          in[1] = -1;
        }
      } else if (fds[k].fd == out[0] && fds[k].revents) {
        read_output();
      }
    }
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      exited = true;
      break;
    }
    if (stop.stop_requested()) ended_by = "stop";
    else if (clock::now() >= deadline) ended_by = "timeout";
    if (!ended_by) continue;
    ::kill(-pid, SIGTERM);
    for (int i = 0; i < 20 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::kill(-pid, SIGKILL);  // what is left of its group, itself included if it did not go
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    break;
  }
  if (out[0] >= 0) {
    read_output();  // what it wrote before ending (its children may hold the pipe: no waiting)
    if (out[0] >= 0) ::close(out[0]);
  }
  if (in[1] >= 0) ::close(in[1]);
  result.output = detail::last_lines(tail, cut);
  if (ended_by) {
    result.problem = std::string_view(ended_by) == "stop"
                         ? name + " was stopped: the end of training's drain budget ran out"
                         : name + " ran longer than its timeout (" + detail::seconds_text(timeout) +
                               " s) and was killed" +
                               (written < input.size() ? " (it had not read all of its input)" : "");
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    result.ok = true;
  } else if (WIFEXITED(status)) {
    result.problem = name + " exited with status " + std::to_string(WEXITSTATUS(status)) +
                     (input_refused ? " (it did not read all of its input)" : "");
  } else {
    result.problem = name + " was ended by signal " + std::to_string(WTERMSIG(status));
  }
  return result;
}

}  // namespace cue
