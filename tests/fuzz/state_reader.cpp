// libFuzzer target: any bytes given to cue::state::read_file (the backup loader's state file)
// either parse or throw an exception naming the file; never a crash or memory error.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <cue/state.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = std::filesystem::temp_directory_path() /
                           ("cue-fuzz-state-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    const auto d = cue::state::read_file(path.string());
    for (const auto& [k, v] : d) {
      (void)cue::state::to_floats(v);  // values are read as numbers by the callbacks
    }
  } catch (const std::exception&) {
  }
  return 0;
}
