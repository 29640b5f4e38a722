// libFuzzer target: any bytes given as a backup's state.npz, read as backup_and_restore reads it
// (the archive, then every tracked object's state and the position's numbers), either load or
// throw an exception; never a crash or memory error.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>
#include <cue/io/archive.hpp>
#include <cue/state.hpp>

namespace {
template <class T>
void load(T& t, const cue::state_dict& d) {
  try {
    t.load_state_dict(d);
  } catch (const std::exception&) {
  }
}
}  // namespace

// Checksums off, so that mutations reach the parsers behind them.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cue::io::detail::verify_checksums = false;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = std::filesystem::temp_directory_path() /
                           ("cue-fuzz-backup-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    const auto d = cue::io::load_archive(path, "backup").values;
    cue::early_stopping<"val_loss"> es;
    cue::reduce_lr_on_plateau<"val_loss"> rl;
    cue::model_checkpoint<"val_loss"> mc({.filepath = "m.npz"});
    load(es, cue::state::slice(d, es.state_key() + "."));
    load(rl, cue::state::slice(d, rl.state_key() + "."));
    load(mc, cue::state::slice(d, mc.state_key() + "."));
    for (const auto& [k, v] : d) {
      try {
        (void)cue::state::to_numbers<double>(v);
        (void)cue::state::to_integer(v);
      } catch (const std::exception&) {
      }
    }
  } catch (const std::exception&) {
  }
  return 0;
}
