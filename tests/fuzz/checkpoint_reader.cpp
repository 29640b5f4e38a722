// libFuzzer target: any bytes given to cue::io::load_checkpoint (what loads weights, learners and
// checkpoints: the zip, the manifest, the .npy arrays) either load or throw an exception naming
// the file; never a crash or memory error.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <cue/io/checkpoint.hpp>

// Checksums off, so that mutations reach the parsers behind them.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cue::io::detail::verify_checksums = false;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = std::filesystem::temp_directory_path() /
                           ("cue-fuzz-checkpoint-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    const auto c = cue::io::load_checkpoint(path);
    for (const auto& [name, a] : c.arrays)
      if (a.size() > 0 && a.data()[a.size() - 1] == 1.0f) return 0;
  } catch (const std::exception&) {
  }
  return 0;
}
