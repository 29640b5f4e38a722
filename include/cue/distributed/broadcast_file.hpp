// cue::broadcast_file: rank 0's file on every rank, through the communicator rather than a file
// system the ranks may not share (machines under `mpirun -H`): a learner's saved state for the
// initial broadcast, a backup to resume from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <cue/distributed/communicator.hpp>
#include <cue/io/atomic_file.hpp>

namespace cue {

/// Copies the file `from` of rank `root` to `to` on every other rank (each path is the rank's
/// own). Every rank calls it; when `root` cannot read its file, every rank throws the same error
/// rather than waiting for bytes that will not come.
template <communicator Comm>
void broadcast_file(Comm& comm, const std::filesystem::path& from, const std::filesystem::path& to, int root = 0) {
  constexpr auto unreadable = std::numeric_limits<std::uint64_t>::max();
  std::vector<char> bytes;
  std::uint64_t size = 0;
  if (comm.rank() == root) {
    std::ifstream in(from, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    size = in.bad() || !in.is_open() ? unreadable : bytes.size();
  }
  comm.broadcast(std::as_writable_bytes(std::span<std::uint64_t>(&size, 1)), root);
  if (size == unreadable)
    throw std::runtime_error("cue: rank " + std::to_string(root) + " cannot read " + from.string() +
                             " to send it to the other ranks");
  bytes.resize(size);
  comm.broadcast(std::as_writable_bytes(std::span<char>(bytes)), root);
  if (comm.rank() != root) io::detail::write_file(to, std::string_view(bytes.data(), bytes.size()));
}

namespace detail {
// A directory of this process's own under the system's temporary directory, removed with its
// contents when it goes.
class scratch_directory {
 public:
  scratch_directory() : path_(io::detail::unique_directory(std::filesystem::temp_directory_path(), "cue-")) {}
  scratch_directory(const scratch_directory&) = delete;
  scratch_directory& operator=(const scratch_directory&) = delete;
  ~scratch_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};
}  // namespace detail

}  // namespace cue
