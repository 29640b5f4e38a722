// Crash-safe file replacement: write to a temporary file beside the target, fsync it, rename it
// over the target, fsync the directory. A crash at any moment leaves either the old file or the
// new one under the final name, never a half-written one.
#pragma once

#include <fcntl.h>
#include <stdlib.h>  // mkdtemp
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

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
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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

// A name no other writer in this or another process uses at the same time.
inline std::filesystem::path temporary_beside(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  std::string name(1, '.');
  name += target.filename().string();
  name += ".tmp-";
  name += std::to_string(::getpid());
  name += '-';
  name += std::to_string(counter++);
  return target.parent_path() / name;
}
}  // namespace detail

/// Replaces `target` atomically with what `write(tmp)` writes to the temporary path `tmp`.
/// Creates the parent directory if needed. If `write` throws, the temporary file is removed, the
/// previous `target` is untouched, and the exception propagates.
template <class Write>
void write_atomically(const std::filesystem::path& target, Write&& write) {
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  if (std::filesystem::is_directory(target))
    throw std::invalid_argument("cue: cannot save to " + target.string() + ": it is a directory");
  const auto tmp = detail::temporary_beside(target);
  try {
    write(tmp);
    if (!std::filesystem::exists(tmp))
      throw std::runtime_error("cue: saving " + target.string() + " wrote no file");
    detail::fsync_path(tmp, false);
    std::filesystem::rename(tmp, target);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
  detail::fsync_path(target.has_parent_path() ? target.parent_path() : ".", true);
}

}  // namespace cue::io
