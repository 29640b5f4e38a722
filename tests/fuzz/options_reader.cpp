// libFuzzer target: any bytes as an option file, read as every kind of options a program reads
// from configuration: either options or std::invalid_argument naming what was wrong; never a
// crash, a stack overflow (100,000 nested brackets once did) or another exception.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/remote_monitor.hpp>
#include <cue/callbacks/tensorboard.hpp>
#include <cue/config.hpp>
#include <cue/fit.hpp>

namespace {
template <class Options>
void read(const nlohmann::json& j) {
  try {
    (void)cue::options_from_json<Options>(j);
  } catch (const std::invalid_argument&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  read<cue::early_stopping_options>(j);
  read<cue::model_checkpoint_options>(j);
  read<cue::remote_monitor_options>(j);
  read<cue::tensorboard_options>(j);
  read<cue::fit_options>(j);
  return 0;
}
