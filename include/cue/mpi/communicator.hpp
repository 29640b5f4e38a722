// cue::mpi::communicator: cue::communicator over MPI (Debian: libopenmpi-dev, openmpi-bin;
// CMake target cue::mpi). Run the program under `mpirun -np N`.
#pragma once

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

#include <cue/distributed/communicator.hpp>

namespace cue::mpi {

/// MPI for the process's lifetime: initialises MPI unless the program already did (then it leaves
/// finalising to the program too), and talks on a private duplicate of MPI_COMM_WORLD, so cue's
/// collectives never mix with the program's. Every call comes from the thread that made it
/// (MPI_THREAD_FUNNELED). One per process.
class communicator {
 public:
  communicator() : communicator(nullptr, nullptr) {}
  communicator(int* argc, char*** argv) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      int provided = 0;
      check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      owns_mpi_ = true;
      if (provided < MPI_THREAD_FUNNELED) throw std::runtime_error("cue: MPI does not provide MPI_THREAD_FUNNELED");
    }
    check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  communicator(const communicator&) = delete;
  communicator& operator=(const communicator&) = delete;
  ~communicator() {
    MPI_Comm_free(&comm_);
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (owns_mpi_ && !finalised) MPI_Finalize();
  }

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int size() const noexcept { return size_; }

  void allreduce_sum(std::span<double> values) { reduce(values.data(), values.size(), MPI_DOUBLE); }
  void allreduce_sum(std::span<float> values) { reduce(values.data(), values.size(), MPI_FLOAT); }
  [[nodiscard]] bool any(bool b) { return decide(b, MPI_LOR); }
  [[nodiscard]] bool all(bool b) { return decide(b, MPI_LAND); }
  void broadcast(std::span<std::byte> bytes, int root) {
    for (std::size_t at = 0; at < bytes.size(); at += chunk)  // MPI counts are ints
      check(MPI_Bcast(bytes.data() + at, count(bytes.size() - at), MPI_BYTE, root, comm_), "MPI_Bcast");
  }
  void barrier() { check(MPI_Barrier(comm_), "MPI_Barrier"); }
  /// Ends every rank of the job (MPI_Abort): for an error on one rank, which the others would
  /// otherwise wait for in their next collective.
  [[noreturn]] void abort(int code) {
    MPI_Abort(comm_, code);
    std::abort();  // MPI_Abort does not return; this says so to the compiler
  }
  [[nodiscard]] MPI_Comm native() const noexcept { return comm_; }

 private:
  static constexpr std::size_t chunk = std::size_t{1} << 30;
  static int count(std::size_t left) { return static_cast<int>(left < chunk ? left : chunk); }
  static void check(int code, const char* what) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int n = 0;
    MPI_Error_string(code, text, &n);
    throw std::runtime_error(std::string("cue: ") + what + " failed: " + std::string(text, static_cast<std::size_t>(n)));
  }
  void reduce(void* data, std::size_t n, MPI_Datatype type) {
    const std::size_t bytes = type == MPI_DOUBLE ? sizeof(double) : sizeof(float);
    for (std::size_t at = 0; at < n; at += chunk)
      check(MPI_Allreduce(MPI_IN_PLACE, static_cast<char*>(data) + at * bytes, count(n - at), type, MPI_SUM, comm_),
            "MPI_Allreduce");
  }
  bool decide(bool b, MPI_Op op) {
    int v = b ? 1 : 0;
    check(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, op, comm_), "MPI_Allreduce");
    return v != 0;
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  bool owns_mpi_ = false;
};

static_assert(cue::communicator<communicator>);

}  // namespace cue::mpi
