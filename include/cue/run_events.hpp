// The typed events cue's callbacks send (see <cue/typed_events.hpp>): what a checkpoint or backup
// callback wrote or removed, a changed learning rate, an alert that began or ended, a stop asked by
// a signal. Listeners: summaries, curves, registries, mirrors, backups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace cue {

/// model_checkpoint wrote a file, complete and renamed into place.
struct checkpoint_saved {
  std::string path;
  int epoch = 0;                ///< 0-based, as ctx.epoch()
  std::size_t step = 0;         ///< training batches completed in this fit
  std::string monitor;          ///< the monitored metric's name
  std::optional<double> score;  ///< its value, when it was measured
  bool best = false;            ///< the best score so far (always true when every file is kept)
};

/// model_checkpoint removed a file it had written (it fell out of the best `keep`).
struct checkpoint_removed {
  std::string path;
};

/// mirror_checkpoints' copy of a checkpoint is complete at its destination.
struct checkpoint_uploaded {
  std::string path;          ///< the local file
  std::string uri;           ///< where the copy is
  std::uintmax_t bytes = 0;
  std::string sha256;        ///< of the bytes copied
};

/// backup_and_restore wrote its backup, durably; a run resumed from it starts at `epoch`, after
/// its first `batch` batches (an epoch-end backup: the next epoch, batch 0).
struct backup_saved {
  std::string path;       ///< the backup's directory
  int epoch = 0;          ///< 0-based
  std::size_t batch = 0;
};

/// A callback changed the learner's learning rate (reduce_lr_on_plateau, learning_rate_scheduler).
struct learning_rate_changed {
  double old_rate = 0;
  double new_rate = 0;
};

/// A rule of cue::alert began (`holds`) or ceased to hold at this epoch's end, whether or not the
/// rate limits let its message go.
struct alert_changed {
  std::string title;
  bool holds = false;
};

/// stop_on_signal received a signal (SIGINT, SIGTERM) and asked the fit to stop after this batch:
/// the run was interrupted from outside, so backup_and_restore keeps its backups.
struct signal_received {
  int signal = 0;
};

}  // namespace cue
