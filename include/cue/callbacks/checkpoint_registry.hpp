// cue::checkpoint_registry: one JSON line per checkpoint written or removed, so that other tools
// can pick the best model. Needs libcrypto (SHA-256) and nlohmann-json (CMake target cue::crypto).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <chrono>
#include <concepts>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include <cue/context.hpp>
#include <cue/crypto/sha256.hpp>
#include <cue/json.hpp>
#include <cue/options.hpp>
#include <cue/reporter.hpp>
#include <cue/run_events.hpp>
#include <cue/utc.hpp>
#include <cue/worker.hpp>

namespace cue {

/// Options of `cue::checkpoint_registry`.
struct checkpoint_registry_options {
  std::string path = "registry.jsonl";  ///< the registry file (its directory is created)
  std::string run{};                    ///< the run's name, on every line
  std::ostream* log = &std::cerr;       ///< where a line that could not be written is reported
  /// At train end, how long to wait for lines still queued (a file system that hangs) before
  /// giving them up, reported.
  std::chrono::duration<double> drain_timeout{10.0};
};

template <std::same_as<checkpoint_registry_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("checkpoint_registry_options", field{"path", &O::path},
                  field{"run", &O::run}, field{"drain_timeout", &O::drain_timeout});
}

namespace detail {
// The registry file, written by the worker's tasks only.
class registry_file {
 public:
  registry_file(std::string path, std::shared_ptr<reporter> say) : path_(std::move(path)), say_(std::move(say)) {}

  // Appends `text` (one line, its newline included) as one write(2) on an O_APPEND descriptor, then
  // fsync. A short write (a full disk) is cut back to where the file was, so the registry never
  // holds a torn line; a last line that lacks its newline (a crash, another writer) is repaired
  // first. True when the line is in the file.
  bool append(const std::string& text) {
    const std::filesystem::path p = path_;
    try {
      if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
      const int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open");
      const struct closer {
        int fd;
        ~closer() { ::close(fd); }
      } close_it{fd};
      repair(fd);
      struct stat before {};
      if (::fstat(fd, &before) != 0) throw std::system_error(errno, std::generic_category(), "cannot stat");
      const auto written = ::write(fd, text.data(), text.size());
      const int saved = errno;
      if (written != static_cast<long>(text.size())) {
        const bool cut = written <= 0 || ::ftruncate(fd, before.st_size) == 0;
        throw std::system_error(written < 0 ? saved : ENOSPC, std::generic_category(),
                                cut ? "cannot append a line (the registry is as it was before it)"
                                    : "cannot append a line, and cannot cut the part written back off");
      }
      if (::fsync(fd) != 0) throw std::system_error(errno, std::generic_category(), "cannot fsync");
      return true;
    } catch (const std::exception& e) {
      (*say_)(p.string() + ": " + e.what());
      return false;
    }
  }

  // A last line without its newline: a complete JSON object gets its newline; anything else is
  // what a crash cut short, and goes.
  static void repair(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size == 0) return;
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) != 1 || last == '\n') return;
    constexpr off_t window = 1 << 20;  // a registry line is short; look at the last MiB at most
    const off_t from = st.st_size > window ? st.st_size - window : 0;
    std::string tail(static_cast<std::size_t>(st.st_size - from), '\0');
    if (::pread(fd, tail.data(), tail.size(), from) != static_cast<ssize_t>(tail.size())) return;
    const auto nl = tail.rfind('\n');
    const std::string line = nl == std::string::npos ? tail : tail.substr(nl + 1);
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) {
      if (::write(fd, "\n", 1) != 1) throw std::system_error(errno, std::generic_category(), "cannot end the last line");
      return;
    }
    const off_t keep = nl == std::string::npos ? (from == 0 ? 0 : from) : from + static_cast<off_t>(nl) + 1;
    if (::ftruncate(fd, keep) != 0) throw std::system_error(errno, std::generic_category(), "cannot cut a torn last line");
  }

  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  std::shared_ptr<reporter> say_;
};
}  // namespace detail

/// Appends, for every `cue::checkpoint_saved`, one JSON line to `.path`:
/// `{"event": "checkpoint_saved", "run", "path", "epoch" (0-based), "step", "monitor", "score"
/// (null when not measured), "best", "aliases" (["latest"] or ["latest", "best"]), "sha256", "size",
/// "time" (UTC, ISO 8601)}` (sha256 and size null, with a warning, if the file cannot be read), and
/// for every `cue::checkpoint_removed` `{"event": "checkpoint_removed", "run", "path", "time"}`,
/// and for every copy mirror_checkpoints made off the machine (`cue::checkpoint_uploaded`)
/// `{"event": "checkpoint_uploaded", "run", "path", "uri", "sha256", "size", "time"}`, `uri` being
/// where the copy is: the best model is the last line whose aliases hold "best" and whose file was
/// not removed since, and its copies are the uploaded lines of its path after it.
/// A path that is not UTF-8 is kept exactly in `path_hex` beside `path` (cue::json::put_path).
/// The digest is taken when the event arrives (before top-k can remove the file); the lines are
/// written in order on a cue::worker, each one write(2) with O_APPEND, then fsync.
///
/// Never a torn line: a write cut short (a full disk) is cut back off at once and reported, and a
/// last line that lacks its newline is repaired before the next append (a complete JSON line gets
/// its newline; a partial one, what a crash left, goes). A line that cannot be written is reported
/// on `.log`, never thrown into training. At train end and on exception it waits up to
/// `.drain_timeout` for the lines queued, then reports those not written.
///
/// Listens to cue::checkpoint_saved (required: a fit without a model_checkpoint is a compile
/// error), cue::checkpoint_removed and cue::checkpoint_uploaded (mirror_checkpoints announces a
/// copy at the epoch end after it is made, or at train end: list the registry after the mirror
/// for the last copies to be in the file before the fit returns). Hooks: on_train_begin, on_train_end, on_exception.
class checkpoint_registry {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = checkpoint_registry_options;
  using listens = cue::listens<checkpoint_saved, cue::optional<checkpoint_removed>, cue::optional<checkpoint_uploaded>>;

  explicit checkpoint_registry(options opts = {})
      : opts_(std::move(opts)), say_(reporter::make("checkpoint_registry", opts_.log)),
        file_(std::make_shared<detail::registry_file>(opts_.path, say_)), worker_(worker_options_of(opts_)) {
    if (opts_.path.empty()) throw std::invalid_argument("cue: checkpoint_registry: path is empty");
    if (opts_.drain_timeout.count() < 0)
      throw std::invalid_argument("cue: checkpoint_registry: drain_timeout must be >= 0 seconds");
  }
  checkpoint_registry(checkpoint_registry&& other) noexcept
      : opts_(std::move(other.opts_)), say_(std::move(other.say_)), file_(std::move(other.file_)),
        worker_(worker_options_of(opts_)) {}
  ~checkpoint_registry() {
    worker_.close();
    if (say_) say_->silence();
  }

  void on_train_begin(auto&) { at_begin_ = worker_.counts(); }

  // The digest is taken here, on the training thread, as the event arrives: top-k may remove the
  // file right after (model_checkpoint sends checkpoint_removed in the same epoch end), and a
  // digest taken later, on the worker, would race it. Writing the line is the worker's.
  void on(const checkpoint_saved& e, auto&) {
    nlohmann::ordered_json line{{"event", "checkpoint_saved"}, {"run", opts_.run}};
    json::put_path(line, "path", e.path);
    line["epoch"] = e.epoch;
    line["step"] = e.step;
    line["monitor"] = e.monitor;
    line["score"] = e.score ? json::number(*e.score) : nullptr;
    line["best"] = e.best;
    line["aliases"] = e.best ? nlohmann::ordered_json{"latest", "best"} : nlohmann::ordered_json{"latest"};
    try {
      line["sha256"] = crypto::sha256_of_file(e.path);
      line["size"] = std::filesystem::file_size(e.path);
    } catch (const std::exception& failure) {  // reported, and the line still says what was saved
      line["sha256"] = nullptr;
      line["size"] = nullptr;
      (*say_)(failure.what());
    }
    line["time"] = utc_now();
    post(json::dump(line) + "\n");
  }
  void on(const checkpoint_removed& e, auto&) {
    nlohmann::ordered_json line{{"event", "checkpoint_removed"}, {"run", opts_.run}};
    json::put_path(line, "path", e.path);
    line["time"] = utc_now();
    post(json::dump(line) + "\n");
  }
  void on(const checkpoint_uploaded& e, auto&) {
    nlohmann::ordered_json line{{"event", "checkpoint_uploaded"}, {"run", opts_.run}};
    json::put_path(line, "path", e.path);
    line["uri"] = json::replaced_utf8(e.uri);
    line["sha256"] = e.sha256;
    line["size"] = e.bytes;
    line["time"] = utc_now();
    post(json::dump(line) + "\n");
  }
  void on_train_end(auto&) { drain(); }
  void on_exception(auto&) { drain(); }

  /// Lines written so far.
  [[nodiscard]] std::size_t lines() const { return worker_.counts().done; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  static worker_options worker_options_of(const options& o) {
    return {.capacity = 1024, .policy = when_full::wait, .drain_timeout = o.drain_timeout};
  }
  void post(std::string text) {
    worker_.post([file = file_, text = std::move(text)](std::stop_token) { return file->append(text); });
  }

  void drain() {
    const worker_end end = worker_.finish();
    const std::string undone = undone_report(worker_.counts() - at_begin_, end, "lines for " + opts_.path,
                                             "not written", opts_.drain_timeout);
    if (!undone.empty()) (*say_)(undone);
    at_begin_ = worker_.counts();
  }

  options opts_;
  std::shared_ptr<reporter> say_;
  std::shared_ptr<detail::registry_file> file_;
  worker_counts at_begin_{};
  worker worker_;  // last: it ends before the members above go
};

}  // namespace cue
