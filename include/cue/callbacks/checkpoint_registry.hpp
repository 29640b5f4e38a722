// cue::checkpoint_registry: one JSON line per checkpoint written or removed, so that other tools
// can pick the best model. Needs libcrypto (SHA-256) and nlohmann-json (CMake target cue::crypto).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <chrono>
#include <concepts>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include <cue/context.hpp>
#include <cue/crypto/sha256.hpp>
#include <cue/io/write_queue.hpp>
#include <cue/options.hpp>
#include <cue/run_events.hpp>

namespace cue {

/// Options of `cue::checkpoint_registry`.
struct checkpoint_registry_options {
  std::string path = "registry.jsonl";  ///< the registry file (its directory is created)
  std::string run{};                    ///< the run's name, on every line
  std::ostream* log = &std::cerr;       ///< where a line that could not be written is reported
};

template <std::same_as<checkpoint_registry_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("checkpoint_registry_options", field{"path", &O::path},
                  field{"run", &O::run});
}

/// Appends, for every `cue::checkpoint_saved`, one JSON line to `.path`:
/// `{"event": "checkpoint_saved", "run", "path", "epoch" (0-based), "step", "monitor", "score"
/// (null when not measured), "best", "aliases" (["latest"] or ["latest", "best"]), "sha256", "size",
/// "time" (UTC, ISO 8601)}` (sha256 and size null, with a warning, if the file cannot be read), and for every `cue::checkpoint_removed` `{"event":
/// "checkpoint_removed", "run", "path", "time"}`: the best model is the last line whose aliases hold
/// "best" and whose file was not removed since. The digest is taken when the event arrives (before
/// top-k can remove the file); the lines are written in order on a worker thread, each one write(2)
/// with O_APPEND, then fsync. A line a crash cut short is removed
/// when the registry is next opened, so the file never holds a torn line before good ones.
/// A line that cannot be written is reported on `.log`, never thrown into training. The queue is
/// drained at train end and on exception.
///
/// Listens to cue::checkpoint_saved (required: a fit without a model_checkpoint is a compile
/// error) and cue::checkpoint_removed. Hooks: on_train_begin, on_train_end, on_exception.
class checkpoint_registry {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = checkpoint_registry_options;
  using listens = cue::listens<checkpoint_saved, cue::optional<checkpoint_removed>>;

  explicit checkpoint_registry(options opts = {}) : opts_(std::move(opts)) {
    if (opts_.path.empty()) throw std::invalid_argument("cue: checkpoint_registry: path is empty");
  }
  checkpoint_registry(checkpoint_registry&& other) noexcept : opts_(std::move(other.opts_)) {}

  void on_train_begin(auto&) {
    queue_.post([this] {
      try {
        repair();
      } catch (const std::exception& e) {
        report(e.what());
      }
    });
  }
  // The digest is taken here, on the training thread, as the event arrives: top-k may remove the
  // file right after (model_checkpoint sends checkpoint_removed in the same epoch end), and a
  // digest taken later, on the worker, would race it. Writing the line is the worker's.
  void on(const checkpoint_saved& e, auto&) {
    nlohmann::ordered_json line{{"event", "checkpoint_saved"}, {"run", opts_.run}, {"path", e.path},
                                {"epoch", e.epoch}, {"step", e.step}, {"monitor", e.monitor}};
    line["score"] = e.score && std::isfinite(*e.score) ? nlohmann::ordered_json(*e.score) : nlohmann::ordered_json(nullptr);
    line["best"] = e.best;
    line["aliases"] = e.best ? nlohmann::ordered_json{"latest", "best"} : nlohmann::ordered_json{"latest"};
    try {
      line["sha256"] = crypto::sha256_of_file(e.path);
      line["size"] = std::filesystem::file_size(e.path);
    } catch (const std::exception& failure) {  // reported, and the line still says what was saved
      line["sha256"] = nullptr;
      line["size"] = nullptr;
      report(failure.what());
    }
    line["time"] = now();
    queue_.post([this, line = std::move(line)] { append(line); });
  }
  void on(const checkpoint_removed& e, auto&) {
    queue_.post([this, e, time = now()] {
      append(nlohmann::ordered_json{{"event", "checkpoint_removed"}, {"run", opts_.run}, {"path", e.path}, {"time", time}});
    });
  }
  void on_train_end(auto&) { drain(); }
  void on_exception(auto&) { drain(); }

  /// Lines written so far.
  [[nodiscard]] std::size_t lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  static std::string now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
  }

  // A last line without its newline is what a crash mid-write leaves: cut it off.
  void repair() {
    const std::filesystem::path p = opts_.path;
    if (!std::filesystem::exists(p)) return;
    std::ifstream in(p, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    if (text.empty() || text.back() == '\n') return;
    const auto keep = text.rfind('\n');
    std::filesystem::resize_file(p, keep == std::string::npos ? 0 : keep + 1);
  }

  void append(const nlohmann::ordered_json& line) {
    const std::string text = line.dump() + "\n";
    const std::filesystem::path p = opts_.path;
    try {
      if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
      const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open");
      const auto written = ::write(fd, text.data(), text.size());
      const int saved = errno;
      const bool synced = ::fsync(fd) == 0;
      ::close(fd);
      if (written != static_cast<long>(text.size()))
        throw std::system_error(written < 0 ? saved : ENOSPC, std::generic_category(), "cannot append");
      if (!synced) throw std::system_error(errno, std::generic_category(), "cannot fsync");
      std::lock_guard lock(mutex_);
      ++lines_;
    } catch (const std::exception& e) {
      report(p.string() + ": " + e.what());
    }
  }
  void report(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (opts_.log) *opts_.log << "cue: checkpoint_registry: " << what << "\n";
  }

  void drain() {
    try {
      queue_.wait();
    } catch (const std::exception& e) {  // nothing of the registry's may end training
      report(e.what());
    }
  }

  options opts_;
  mutable std::mutex mutex_;
  std::size_t lines_ = 0;
  io::write_queue queue_;  // last: its worker stops before the members it uses go
};

}  // namespace cue
