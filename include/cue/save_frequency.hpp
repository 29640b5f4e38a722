// How often a saving callback (model_checkpoint, backup_and_restore) saves, and Keras's way of
// counting batches towards the next save.
#pragma once

#include <cstddef>
#include <optional>

namespace cue {

/// At every epoch end (the default, `cue::every_epoch`) or every N training batches counted
/// across epochs (`.save_freq = 100`), as Keras's `save_freq` ("epoch" or an integer).
struct save_frequency {
  bool per_epoch = true;
  int batches = 0;
  constexpr save_frequency() = default;
  constexpr save_frequency(int n) noexcept : per_epoch(false), batches(n) {}  // NOLINT: implicit on purpose
};
inline constexpr save_frequency every_epoch{};

/// Keras's `_should_save_on_batch`: counts training batches across epochs (a batch index that
/// does not grow means a new epoch began) and says when `every` have passed since the last save.
class batch_counter {
 public:
  [[nodiscard]] bool due(std::size_t batch_index, int every) noexcept {
    const auto batch = static_cast<long long>(batch_index);
    if (!last_seen_ || batch <= *last_seen_)
      since_save_ += batch + 1;
    else
      since_save_ += batch - *last_seen_;
    last_seen_ = batch;
    if (since_save_ < every) return false;
    since_save_ = 0;
    return true;
  }
  void reset() noexcept { since_save_ = 0, last_seen_.reset(); }

  long long since_save_ = 0;             ///< batches counted towards the next save
  std::optional<long long> last_seen_;   ///< the last batch index counted
};

}  // namespace cue
