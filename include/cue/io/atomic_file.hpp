// Crash-safe file replacement: write to a temporary file beside the target, fsync it, rename it
// over the target, fsync the directory. A crash at any moment leaves either the old file or the
// new one under the final name, never a half-written one. What a crash leaves beside it is
// recognised and removed by the next run, and never what a live process is writing.
#pragma once

#include <fcntl.h>
#include <stdlib.h>  // mkdtemp
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace cue::io {

namespace detail {
inline void fsync_path(const std::filesystem::path& p, bool directory) {
  const int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "cue: cannot open " + p.string() + " to fsync it");
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0)
    throw std::system_error(saved, std::generic_category(), "cue: fsync failed for " + p.string());
}

// Writes `bytes` to a new file at `p`; a failure names the file and the system's reason
// ("No space left on device").
inline void write_file(const std::filesystem::path& p, std::string_view bytes) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cue: cannot create " + p.string());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      throw std::system_error(saved, std::generic_category(), "cue: cannot write " + p.string());
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "cue: cannot write " + p.string());
}

// A new directory in `parent`, named `prefix` and six characters that make it unique: mkdtemp's
// exclusive creation, so processes on different hosts sharing a file system cannot collide.
inline std::filesystem::path unique_directory(const std::filesystem::path& parent, const std::string& prefix) {
  std::string name = (parent / (prefix + "XXXXXX")).string();
  if (::mkdtemp(name.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "cue: cannot create a directory in " + parent.string());
  return name;
}

}  // namespace detail

/// The name every temporary directory of cue starts with.
inline constexpr std::string_view temporary_prefix = ".cue-tmp-";

/// A directory of cue's own for files being written: `.cue-tmp-XXXXXX` in `parent`, its name
/// unpredictable and created exclusively (mkdtemp: nothing planted there can be followed, and
/// only this user can enter it), and locked (flock) while this object lives, so that
/// `remove_abandoned` tells a live writer's from one a killed process left. Removed with what
/// it holds when it goes, unless `keep()` was called (its contents were renamed away).
class temporary_directory {
 public:
  explicit temporary_directory(const std::filesystem::path& parent)
      : path_(detail::unique_directory(parent.empty() ? "." : parent, std::string(temporary_prefix))) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int saved = errno;
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
      if (fd_ >= 0) ::close(fd_);
      throw std::system_error(saved, std::generic_category(), "cue: cannot lock " + path_.string());
    }
  }
  temporary_directory(const temporary_directory&) = delete;
  temporary_directory& operator=(const temporary_directory&) = delete;
  ~temporary_directory() {
    if (!kept_) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
    ::close(fd_);  // the lock goes with it
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The directory itself was renamed into place: leave it.
  void keep() noexcept { kept_ = true; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool kept_ = false;
};

/// Removes, in `dir`, the temporary directories of cue (`.cue-tmp-*`) that no live process holds:
/// what a killed or crashed run left (a half-written checkpoint, a backup cut short). One a live
/// writer holds is locked and stays. Returns how many were removed; a directory that cannot be
/// read is left as it is.
inline std::size_t remove_abandoned(const std::filesystem::path& dir) {
  std::size_t removed = 0;
  std::error_code error;
  std::filesystem::directory_iterator it(dir.empty() ? "." : dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    const auto name = it->path().filename().string();
    if (!name.starts_with(temporary_prefix)) continue;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;  // never through a link
    const int fd = ::open(it->path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::error_code ignored;
      if (std::filesystem::remove_all(it->path(), ignored) > 0) ++removed;
    }
    ::close(fd);
  }
  return removed;
}

/// Replaces `target` atomically with what `write(tmp)` writes to the path `tmp`, a new name (the
/// target's) inside a temporary_directory beside the target. Creates the parent directory if
/// needed. If `write` throws, the temporary directory is removed, the previous `target` is
/// untouched, and the exception propagates.
template <class Write>
void write_atomically(const std::filesystem::path& target, Write&& write) {
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  if (std::filesystem::is_directory(target))
    throw std::invalid_argument("cue: cannot save to " + target.string() + ": it is a directory");
  const temporary_directory scratch(target.parent_path());
  const auto tmp = scratch.path() / target.filename();
  write(tmp);
  if (!std::filesystem::exists(tmp)) throw std::runtime_error("cue: saving " + target.string() + " wrote no file");
  detail::fsync_path(tmp, false);
  std::filesystem::rename(tmp, target);
  detail::fsync_path(target.has_parent_path() ? target.parent_path() : ".", true);
}

}  // namespace cue::io
