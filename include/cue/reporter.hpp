// cue::reporter: where a callback that works off the training thread says what went wrong:
// `cue: <who>: <text>` lines on a stream, redacted, from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cue/redact.hpp>

namespace cue {

/// A warning channel shared by a callback and its worker's tasks: each line is redacted (the
/// secrets given, and every URL) and written whole, under a lock. `silence()`, from the callback's
/// destructor, stops the writing, so that a task left to finish alone never writes to a stream
/// its owner may have destroyed. A line is cut at `max_line` bytes.
class reporter {
 public:
  static constexpr std::size_t max_line = 4096;

  reporter(std::string who, std::ostream* out, std::vector<std::string> secrets = {})
      : who_(std::move(who)), out_(out), secrets_(std::move(secrets)) {}

  static std::shared_ptr<reporter> make(std::string who, std::ostream* out, std::vector<std::string> secrets = {}) {
    return std::make_shared<reporter>(std::move(who), out, std::move(secrets));
  }

  /// Writes `cue: <who>: <text>` and a newline.
  void operator()(std::string_view text) const {
    std::string line = "cue: " + who_ + ": " + redacted_text(std::string(text), secrets_);
    if (line.size() > max_line) line = line.substr(0, max_line) + " [cut]";
    line += '\n';
    std::lock_guard lock(mutex_);
    if (out_) out_->write(line.data(), static_cast<std::streamsize>(line.size())).flush();
  }

  /// No more lines, from now on.
  void silence() {
    std::lock_guard lock(mutex_);
    out_ = nullptr;
  }

  /// The same redaction, for text that goes elsewhere (a warning kept for later).
  [[nodiscard]] std::string redact(std::string text) const { return redacted_text(std::move(text), secrets_); }

 private:
  std::string who_;
  mutable std::mutex mutex_;
  std::ostream* out_;
  std::vector<std::string> secrets_;
};

}  // namespace cue
