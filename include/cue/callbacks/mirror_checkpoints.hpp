// cue::mirror_checkpoints: every checkpoint copied off the machine (another mount, or a command
// such as rclone or aws s3 cp), in order, off the training thread. Target cue::crypto (SHA-256).
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/crypto/sha256.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/io/write_queue.hpp>
#include <cue/options.hpp>
#include <cue/run_events.hpp>

extern char** environ;

namespace cue {

/// A checkpoint's copy is complete at its destination.
struct checkpoint_uploaded {
  std::string path;      ///< the local file
  std::string uri;       ///< where the copy is
  std::uintmax_t bytes = 0;
  std::string sha256;    ///< of the bytes copied
};

/// Options of `cue::mirror_checkpoints`.
struct mirror_checkpoints_options {
  /// Where copies go: a directory, or (with `.command`) the prefix of their URI, such as
  /// "s3://bucket/run-1"; a copy's URI is `destination + "/" + its file name`.
  std::string destination{};
  /// Empty: copy into the directory. Otherwise the command that copies, its arguments with
  /// `{path}` and `{uri}` replaced: {"rclone", "copyto", "{path}", "{uri}"}.
  std::vector<std::string> command{};
  int retries = 3;                            ///< more attempts after a failed copy
  std::chrono::duration<double> backoff{1.0};  ///< wait before the first retry, doubled after each
  bool mirror_removals = true;                ///< remove the copy when top-k removes the file
  std::chrono::duration<double> drain_timeout{600.0};  ///< at train end, for copies still queued
  std::ostream* log = &std::cerr;             ///< where failures are reported
};

template <std::same_as<mirror_checkpoints_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("mirror_checkpoints_options", field{"destination", &O::destination},
                  field{"retries", &O::retries},
                  field{"backoff", &O::backoff},
                  field{"mirror_removals", &O::mirror_removals},
                  field{"drain_timeout", &O::drain_timeout});
}

/// Copies every checkpoint `cue::checkpoint_saved` announces to `.destination`, one at a time, in
/// order, on a worker thread: into a directory (written under a temporary name, fsync'ed, then
/// renamed, so a copy is never seen half-written) or by running `.command`. The file is linked
/// into a staging directory beside it when the event arrives (copied there if it cannot be
/// linked), so top-k removing it right after does not race the copy; a `checkpoint_removed` goes
/// through the same queue, after the copy. A failed copy is retried `.retries` times, waiting
/// `.backoff`, doubled each time, then reported on `.log`; nothing is thrown into training. When
/// a copy is complete it sends `cue::checkpoint_uploaded{path, uri, bytes, sha256}`, delivered on
/// the training thread at the next epoch end (or train end). At train end it waits up to
/// `.drain_timeout`, then reports the copies not made.
///
/// Listens to cue::checkpoint_saved (a fit without a model_checkpoint is a compile error) and
/// cue::checkpoint_removed. Hooks: on_epoch_end, on_train_end, on_exception.
class mirror_checkpoints {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = mirror_checkpoints_options;
  using listens = cue::listens<checkpoint_saved, cue::optional<checkpoint_removed>>;
  using emits = cue::emits<checkpoint_uploaded>;

  explicit mirror_checkpoints(options opts) : opts_(std::move(opts)) {
    if (opts_.destination.empty()) throw std::invalid_argument("cue: mirror_checkpoints: destination is empty");
    if (opts_.retries < 0) throw std::invalid_argument("cue: mirror_checkpoints: retries must be >= 0");
  }
  mirror_checkpoints(mirror_checkpoints&& other) noexcept : opts_(std::move(other.opts_)) {}

  void on(const checkpoint_saved& e, auto&) {
    const std::filesystem::path file = e.path;
    std::filesystem::path staged;
    try {
      staged = stage(file);
    } catch (const std::exception& failure) {
      report("cannot stage " + file.string() + ": " + failure.what());
      return;
    }
    queue_.post([this, file, staged] { copy(file, staged); });
  }
  void on(const checkpoint_removed& e, auto&) {
    if (!opts_.mirror_removals) return;
    queue_.post([this, name = std::filesystem::path(e.path).filename()] { remove(name); });
  }
  void on_epoch_end(auto& ctx) { announce(ctx); }
  void on_train_end(auto& ctx) {
    drain();
    announce(ctx);
  }
  void on_exception(auto& ctx) {
    drain();
    announce(ctx);
  }

  /// Copies made, and copies given up, so far.
  [[nodiscard]] std::size_t copied() const {
    std::lock_guard lock(mutex_);
    return copied_;
  }
  [[nodiscard]] std::size_t failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  [[nodiscard]] std::string uri_of(const std::filesystem::path& name) const {
    std::string uri = opts_.destination;
    if (!uri.ends_with('/')) uri += '/';
    return uri + name.string();
  }

  // A name of its own for the file, that top-k's removal does not touch.
  static std::filesystem::path stage(const std::filesystem::path& file) {
    static std::atomic<unsigned> counter{0};
    const auto dir = (file.has_parent_path() ? file.parent_path() : ".") / ".cue-mirror";
    std::filesystem::create_directories(dir);
    const auto staged = dir / (std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + file.filename().string());
    std::error_code not_linked;
    std::filesystem::create_hard_link(file, staged, not_linked);
    if (not_linked) std::filesystem::copy_file(file, staged, std::filesystem::copy_options::overwrite_existing);
    return staged;
  }

  // On the worker: one copy, retried; the staged name removed after.
  void copy(const std::filesystem::path& file, const std::filesystem::path& staged) {
    const std::string uri = uri_of(file.filename());
    std::string problem;
    auto wait = opts_.backoff;
    for (int attempt = 0; attempt <= opts_.retries; ++attempt) {
      if (attempt > 0) {
        std::this_thread::sleep_for(wait);
        wait *= 2;
      }
      try {
        problem = opts_.command.empty() ? copy_into_directory(staged, file.filename()) : run_command(staged, uri);
      } catch (const std::exception& e) {
        problem = e.what();
      }
      if (problem.empty()) break;
    }
    checkpoint_uploaded done{file.string(), uri, 0, {}};
    if (problem.empty()) {
      try {
        done.bytes = std::filesystem::file_size(staged);
        done.sha256 = crypto::sha256_of_file(staged);
      } catch (const std::exception& e) {
        problem = e.what();
      }
    }
    std::error_code ignored;
    std::filesystem::remove(staged, ignored);
    std::lock_guard lock(mutex_);
    if (!problem.empty()) {
      ++failed_;
      if (opts_.log)
        *opts_.log << "cue: mirror_checkpoints: could not copy " << file.string() << " to " << uri << " after "
                   << opts_.retries + 1 << " attempts: " << problem << "\n";
      return;
    }
    ++copied_;
    done_.push_back(std::move(done));
  }

  std::string copy_into_directory(const std::filesystem::path& staged, const std::filesystem::path& name) const {
    const std::filesystem::path target = std::filesystem::path(opts_.destination) / name;
    io::write_atomically(target, [&](const std::filesystem::path& tmp) {
      std::filesystem::copy_file(staged, tmp, std::filesystem::copy_options::overwrite_existing);
    });
    return {};
  }

  // The command, its placeholders replaced; its exit status says whether the copy was made.
  std::string run_command(const std::filesystem::path& staged, const std::string& uri) const {
    std::vector<std::string> args;
    for (std::string a : opts_.command) {
      for (const auto& [key, value] : {std::pair<std::string, std::string>{"{path}", staged.string()}, {"{uri}", uri}})
        for (auto at = a.find(key); at != std::string::npos; at = a.find(key, at + value.size()))
          a.replace(at, key.size(), value);
      args.push_back(std::move(a));
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (const int e = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); e != 0)
      return "cannot run " + args[0] + ": " + std::system_category().message(e);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    return args[0] + (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status)) : " was killed");
  }

  void remove(const std::filesystem::path& name) {
    if (!opts_.command.empty()) return;  // a remote copy is the command's owner's to remove
    std::error_code ignored;
    std::filesystem::remove(std::filesystem::path(opts_.destination) / name, ignored);
  }

  // On the training thread: the copies completed since the last time.
  void announce(auto& ctx) {
    std::vector<checkpoint_uploaded> done;
    {
      std::lock_guard lock(mutex_);
      std::swap(done, done_);
    }
    for (const auto& d : done) emit_if_heard<checkpoint_uploaded>(ctx, [&] { return d; });
  }

  void drain() {
    if (queue_.wait_for(opts_.drain_timeout)) return;
    const std::size_t dropped = queue_.discard();
    report(std::to_string(dropped) + " copies to " + opts_.destination + " not made by the end of training (drain_timeout)");
  }
  void report(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (opts_.log) *opts_.log << "cue: mirror_checkpoints: " << what << "\n";
  }

  options opts_;
  mutable std::mutex mutex_;
  std::size_t copied_ = 0, failed_ = 0;
  std::vector<checkpoint_uploaded> done_;  // completed on the worker, announced on the training thread
  io::write_queue queue_;                  // last: its worker stops before the members it uses go
};

}  // namespace cue
