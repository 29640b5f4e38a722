// cue::mirror_checkpoints: every checkpoint copied off the machine (another mount, or a command
// such as rclone or aws s3 cp), in order, off the training thread. Target cue::crypto (SHA-256).
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/crypto/sha256.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/options.hpp>
#include <cue/process.hpp>
#include <cue/python_format.hpp>
#include <cue/reporter.hpp>
#include <cue/run_events.hpp>
#include <cue/worker.hpp>

namespace cue {

/// Options of `cue::mirror_checkpoints`.
struct mirror_checkpoints_options {
  /// Where copies go: a directory, or (with `.command`) the prefix of their URI, such as
  /// "s3://bucket/run-1"; a copy's URI is `destination + "/" + its file name`.
  std::string destination{};
  /// Empty: copy into the directory. Otherwise the command that copies, its arguments with
  /// `{path}` and `{uri}` replaced: {"rclone", "copyto", "{path}", "{uri}"}. It runs without a
  /// shell, in a process group of its own (cue::run_process).
  std::vector<std::string> command{};
  int retries = 3;                            ///< more attempts after a failed copy
  std::chrono::duration<double> backoff{1.0};  ///< wait before the first retry, doubled after each
  bool mirror_removals = true;                ///< remove the copy when top-k removes the file
  std::chrono::duration<double> drain_timeout{600.0};  ///< at train end, for copies still queued
  std::ostream* log = &std::cerr;             ///< where failures are reported
  /// How long one attempt of the command may take; then its process group is killed.
  std::chrono::duration<double> timeout{300.0};
  /// Copies that may wait; when full, the oldest waiting is dropped (and counted), never training.
  std::size_t queue_capacity = 64;
  /// With `.command`: the command that removes a copy when top-k removes its file (so top-k holds
  /// off the machine too), `{uri}` replaced: {"rclone", "deletefile", "{uri}"}. Empty: copies made
  /// by a command are kept. Run as `.command` is, after the copy, with `.timeout`.
  std::vector<std::string> remove_command{};
};

template <std::same_as<mirror_checkpoints_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("mirror_checkpoints_options", field{"destination", &O::destination},
                  field{"retries", &O::retries},
                  field{"backoff", &O::backoff},
                  field{"mirror_removals", &O::mirror_removals},
                  field{"drain_timeout", &O::drain_timeout},
                  field{"timeout", &O::timeout},
                  field{"queue_capacity", &O::queue_capacity});
}

/// Copies every checkpoint `cue::checkpoint_saved` announces to `.destination`, one at a time, in
/// order, on a cue::worker: into a directory (written under a temporary name, fsync'ed, then
/// renamed, so a copy is never seen half-written) or by running `.command` (cue::run_process:
/// no shell, `.timeout` per attempt, its process group killed past it, its output kept for the
/// report rather than shown). The file is linked into a locked temporary directory beside it when
/// the event arrives (copied there if it cannot be linked), so top-k removing it right after does
/// not race the copy; that directory goes when the copy is done or dropped, and one a killed run
/// left is removed by the next (io::remove_abandoned). A `checkpoint_removed` goes through the
/// same queue, after the copy: the copy in the directory is removed, or, with `.remove_command`
/// (`{"rclone", "deletefile", "{uri}"}`), the command removes it (`.mirror_removals = false`: every
/// copy is kept). A failed copy is retried `.retries` times, waiting `.backoff`,
/// doubled each time, then reported on `.log` with the command's last lines of output; nothing
/// is thrown into training. When a copy is complete it sends `cue::checkpoint_uploaded{path, uri,
/// bytes, sha256}`, delivered on the training thread at the next epoch end (or train end).
///
/// At train end it waits up to `.drain_timeout`, then cancels: copies not started are dropped,
/// the command running is killed; the report counts the fit's copies made, failed, dropped from a
/// full queue or at the end, and cancelled in flight. Its destructor waits at most
/// `cue::cancel_grace` more.
///
/// Listens to cue::checkpoint_saved (a fit without a model_checkpoint is a compile error) and
/// cue::checkpoint_removed. Hooks: on_train_begin, on_epoch_end, on_train_end, on_exception.
class mirror_checkpoints {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = mirror_checkpoints_options;
  using listens = cue::listens<checkpoint_saved, cue::optional<checkpoint_removed>>;
  using emits = cue::emits<checkpoint_uploaded>;

  explicit mirror_checkpoints(options opts)
      : opts_(std::move(opts)), channel_(std::make_shared<channel>(opts_)), worker_(worker_options_of(opts_)) {
    if (opts_.destination.empty()) throw std::invalid_argument("cue: mirror_checkpoints: destination is empty");
    if (opts_.retries < 0) throw std::invalid_argument("cue: mirror_checkpoints: retries must be >= 0");
    if (opts_.backoff.count() < 0 || opts_.drain_timeout.count() < 0 || opts_.timeout.count() <= 0)
      throw std::invalid_argument("cue: mirror_checkpoints: backoff and drain_timeout must be >= 0 seconds, timeout > 0");
    if (opts_.queue_capacity == 0) throw std::invalid_argument("cue: mirror_checkpoints: queue_capacity must be >= 1");
  }
  mirror_checkpoints(mirror_checkpoints&& other) noexcept
      : opts_(std::move(other.opts_)), channel_(std::move(other.channel_)), worker_(worker_options_of(opts_)) {}
  ~mirror_checkpoints() {
    worker_.close();
    if (channel_) channel_->say->silence();  // a copy left running writes nothing after
  }

  void on_train_begin(auto&) {
    std::lock_guard lock(channel_->mutex);
    at_begin_ = channel_->copies;
    if (opts_.command.empty()) io::remove_abandoned(opts_.destination);
  }

  void on(const checkpoint_saved& e, auto&) {
    const std::filesystem::path file = e.path;
    std::shared_ptr<staged_file> staged;
    try {
      staged = stage(file);
    } catch (const std::exception& failure) {
      (*channel_->say)("cannot stage " + file.string() + ": " + failure.what());
      return;
    }
    {
      std::lock_guard lock(channel_->mutex);
      ++channel_->copies.posted;
    }
    worker_.post([c = channel_, staged](std::stop_token stop) { return c->copy(*staged, stop); });
  }
  void on(const checkpoint_removed& e, auto&) {
    if (!opts_.mirror_removals) return;
    const std::filesystem::path name = std::filesystem::path(e.path).filename();
    if (opts_.command.empty()) {
      worker_.post([c = channel_, name](std::stop_token) {
        std::error_code ignored;
        std::filesystem::remove(std::filesystem::path(c->opts.destination) / name, ignored);
        return true;
      });
    } else if (!opts_.remove_command.empty()) {  // without it, a remote copy is the command's owner's to remove
      worker_.post([c = channel_, name](std::stop_token stop) { return c->remove(name, stop); });
    }
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

  /// Copies made so far, and copies given up: failed, cancelled in flight, and never started
  /// (dropped from a full queue or at an end; counted at the end).
  [[nodiscard]] std::size_t copied() const {
    std::lock_guard lock(channel_->mutex);
    return channel_->copies.made;
  }
  [[nodiscard]] std::size_t failed() const {
    std::lock_guard lock(channel_->mutex);
    return channel_->copies.failed + channel_->copies.cancelled + never_started_;
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  // A checkpoint's second name, in a locked temporary directory beside it; gone with this object.
  struct staged_file {
    io::temporary_directory dir;
    std::filesystem::path path, original;
    staged_file(const std::filesystem::path& file)
        : dir(file.has_parent_path() ? file.parent_path() : "."), path(dir.path() / file.filename()), original(file) {}
  };

  // The copies of this mirror, as its tasks counted them.
  struct copy_counts {
    std::size_t posted = 0, started = 0, made = 0, failed = 0, cancelled = 0;
  };

  // What the worker's tasks use, shared with them, so that a copy left to finish alone has it.
  struct channel {
    explicit channel(const options& o)
        : opts(o), say(reporter::make("mirror_checkpoints", o.log)) {}
    options opts;
    std::shared_ptr<reporter> say;
    std::mutex mutex;
    copy_counts copies;
    std::vector<checkpoint_uploaded> done;  // completed on the worker, announced on the training thread

    [[nodiscard]] std::string uri_of(const std::filesystem::path& name) const {
      std::string uri = opts.destination;
      if (!uri.ends_with('/')) uri += '/';
      return uri + name.string();
    }

    // One copy, retried; true when made.
    bool copy(const staged_file& staged, std::stop_token stop) {
      {
        std::lock_guard lock(mutex);
        ++copies.started;
      }
      const std::string uri = uri_of(staged.original.filename());
      std::string problem, output;
      auto wait = opts.backoff;
      int attempts = 0;
      for (; attempts <= opts.retries && !stop.stop_requested(); ++attempts) {
        if (attempts > 0 && !pause(wait, stop)) break;
        wait *= 2;
        try {
          if (opts.command.empty()) {
            copy_into_directory(staged.path, staged.original.filename());
            problem.clear();
          } else {
            const process_result r = run_process(arguments(opts.command, staged.path, uri), {}, opts.timeout, stop);
            problem = r.problem;
            output = r.output;
          }
        } catch (const std::exception& e) {
          problem = e.what();
        }
        if (problem.empty()) break;
      }
      checkpoint_uploaded done_copy{staged.original.string(), uri, 0, {}};
      if (problem.empty() && !stop.stop_requested()) {
        try {
          done_copy.bytes = std::filesystem::file_size(staged.path);
          done_copy.sha256 = crypto::sha256_of_file(staged.path);
        } catch (const std::exception& e) {
          problem = e.what();
        }
      }
      std::lock_guard lock(mutex);
      if (stop.stop_requested() && !problem.empty()) {
        ++copies.cancelled;
        return false;
      }
      if (!problem.empty()) {
        ++copies.failed;
        std::string text = "could not copy " + staged.original.string() + " to " + uri + " after " +
                           std::to_string(attempts) + (attempts == 1 ? " attempt: " : " attempts: ") + problem;
        if (!output.empty()) text += "; its last output:\n" + output;
        (*say)(text);
        return false;
      }
      ++copies.made;
      done.push_back(std::move(done_copy));
      return true;
    }

    // Removes the copy of `name` with the removal command; a failure is reported, not retried.
    bool remove(const std::filesystem::path& name, std::stop_token stop) {
      const std::string uri = uri_of(name);
      std::string problem, output;
      try {
        const process_result r = run_process(arguments(opts.remove_command, {}, uri), {}, opts.timeout, stop);
        problem = r.problem;
        output = r.output;
      } catch (const std::exception& e) {
        problem = e.what();
      }
      if (problem.empty() || stop.stop_requested()) return problem.empty();
      std::string text = "could not remove the copy " + uri + ": " + problem;
      if (!output.empty()) text += "; its last output:\n" + output;
      (*say)(text);
      return false;
    }

    // Waits `d`, or less when a stop is asked; false then.
    static bool pause(std::chrono::duration<double> d, std::stop_token stop) {
      const auto until = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::min(d, std::chrono::duration<double>(1e9)));
      while (std::chrono::steady_clock::now() < until) {
        if (stop.stop_requested()) return false;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - std::chrono::steady_clock::now(),
                                                                                  std::chrono::milliseconds(20)));
      }
      return !stop.stop_requested();
    }

    void copy_into_directory(const std::filesystem::path& staged, const std::filesystem::path& name) const {
      const std::filesystem::path target = std::filesystem::path(opts.destination) / name;
      io::write_atomically(target, [&](const std::filesystem::path& tmp) {
        std::filesystem::copy_file(staged, tmp, std::filesystem::copy_options::overwrite_existing);
      });
    }

    // A command's words, {path} and {uri} replaced (each word stays one argument: no shell).
    [[nodiscard]] static std::vector<std::string> arguments(const std::vector<std::string>& command,
                                                            const std::filesystem::path& staged, const std::string& uri) {
      std::vector<std::string> args;
      for (std::string a : command) {
        for (const auto& [key, value] : {std::pair<std::string, std::string>{"{path}", staged.string()}, {"{uri}", uri}})
          for (auto at = a.find(key); at != std::string::npos; at = a.find(key, at + value.size()))
            a.replace(at, key.size(), value);
        args.push_back(std::move(a));
      }
      return args;
    }
  };

  static worker_options worker_options_of(const options& o) {
    return {.capacity = o.queue_capacity, .policy = when_full::drop_oldest, .drain_timeout = o.drain_timeout};
  }

  // A name of its own for the file, that top-k's removal does not touch: a hard link (a copy
  // when it cannot be linked) in a locked temporary directory beside it. The first time a
  // directory is seen, what a killed run left there is removed.
  std::shared_ptr<staged_file> stage(const std::filesystem::path& file) {
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    if (std::find(cleaned_.begin(), cleaned_.end(), dir) == cleaned_.end()) {
      io::remove_abandoned(dir);
      cleaned_.push_back(dir);
    }
    auto staged = std::make_shared<staged_file>(file);
    std::error_code not_linked;
    std::filesystem::create_hard_link(file, staged->path, not_linked);
    if (not_linked) std::filesystem::copy_file(file, staged->path);
    return staged;
  }

  // On the training thread: the copies completed since the last time.
  void announce(auto& ctx) {
    std::vector<checkpoint_uploaded> done;
    {
      std::lock_guard lock(channel_->mutex);
      std::swap(done, channel_->done);
    }
    for (const auto& d : done) emit_if_heard<checkpoint_uploaded>(ctx, [&] { return d; });
  }

  void drain() {
    const worker_end end = worker_.finish();
    copy_counts c;
    {
      std::lock_guard lock(channel_->mutex);
      c = channel_->copies;
    }
    const std::size_t posted = c.posted - at_begin_.posted, made = c.made - at_begin_.made,
                      failed = c.failed - at_begin_.failed, cancelled = c.cancelled - at_begin_.cancelled,
                      started = c.started - at_begin_.started;
    const std::size_t not_started = posted - started;
    const std::size_t running = started - made - failed - cancelled;  // left to end alone past its grace
    never_started_ += not_started;
    if (made == posted) {
      at_begin_ = c;
      return;
    }
    std::string text = std::to_string(posted - made) + " of " + std::to_string(posted) + " copies to " +
                       opts_.destination + " not made by the end of training:";
    const char* sep = " ";
    auto part = [&](std::size_t n, const std::string& words) {
      if (n == 0) return;
      text += sep + std::to_string(n) + " " + words;
      sep = ", ";
    };
    part(failed, "failed");
    part(not_started > end.dropped ? not_started - end.dropped : 0, "dropped from a full queue");
    part(std::min(not_started, end.dropped), "still queued when drain_timeout (" +
                                                 python_format_value(opts_.drain_timeout.count(), "g") + " s) ran out");
    part(cancelled + running, "cancelled in flight");
    (*channel_->say)(text);
    at_begin_ = c;
  }

  options opts_;
  std::shared_ptr<channel> channel_;
  copy_counts at_begin_{};
  std::size_t never_started_ = 0;
  std::vector<std::filesystem::path> cleaned_;  // directories already rid of what a killed run left
  worker worker_;  // last: it ends before the members above go
};

}  // namespace cue
