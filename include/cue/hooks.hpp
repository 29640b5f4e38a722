// The hook table: every event of a training run, written once. Everything that lists the hooks is
// generated from it: the concepts and event tags (events.hpp), the forwarding members of groups
// and adapters (callbacks.hpp), dynamic_callback's virtuals, lambda_callback's factories, fit's
// check of each hook's form against the logs it carries, and the near-miss names
// (near_miss_names.hpp, written by scripts/near_misses.py from this table; the ctest
// near_miss_names.current says when it is out of date). Adding an event is one line here, plus
// the loop that sends it.
#pragma once

namespace cue {

/// The loop, or the part of one, that an event marks.
enum class phase { fit, epoch, train_batch, test, test_batch, predict, predict_batch };

/// Where in its phase an event comes.
enum class edge {
  begin,
  end,
  within,  ///< between begin and end (on_after_backward: gradients ready, before the update)
  aborted  ///< the phase ends by an exception
};

/// What the context's logs hold at an event.
enum class carries {
  nothing,      ///< `cue::logs<>`
  train_means,  ///< the running means of the epoch's training batches so far
  epoch_logs,   ///< the epoch's means, `val_*` means after validation, `learning_rate`
  last_epoch,   ///< the last epoch's logs, or nothing when no epoch ran
  test_means    ///< the evaluation's running means, then its means
};

}  // namespace cue

// X(event, stem, edge, phase, carries, what it means). The hook is `on_<event>`; for a begin or
// an end, `event` is `<stem>_<edge>` (the near misses put other words for begin and end after
// the stem).
#define CUE_HOOK_TABLE(X)                                                                                 \
  X(train_begin, train, begin, fit, nothing, "Training starts (fit).")                                    \
  X(train_end, train, end, fit, last_epoch, "Training ended normally (fit); not sent when fit throws.")   \
  X(epoch_begin, epoch, begin, epoch, nothing, "An epoch starts.")                                        \
  X(epoch_end, epoch, end, epoch, epoch_logs, "An epoch ended, validation included.")                     \
  X(train_batch_begin, train_batch, begin, train_batch, nothing, "A training batch is about to run.")     \
  X(train_batch_end, train_batch, end, train_batch, train_means, "A training batch ran.")                 \
  X(after_backward, after_backward, within, train_batch, train_means,                                     \
    "Gradients are ready, before the update (learners with a split step).")                               \
  X(test_begin, test, begin, test, nothing, "Evaluation starts (validation inside fit, or evaluate).")    \
  X(test_end, test, end, test, test_means, "Evaluation ended; its logs have no val_ prefix.")             \
  X(test_batch_begin, test_batch, begin, test_batch, nothing, "An evaluation batch is about to run.")     \
  X(test_batch_end, test_batch, end, test_batch, test_means, "An evaluation batch ran.")                  \
  X(predict_begin, predict, begin, predict, nothing, "Prediction starts.")                                \
  X(predict_end, predict, end, predict, nothing, "Prediction ended.")                                     \
  X(predict_batch_begin, predict_batch, begin, predict_batch, nothing, "A prediction batch is about to run.") \
  X(predict_batch_end, predict_batch, end, predict_batch, nothing, "A prediction batch ran.")             \
  X(exception, exception, aborted, fit, nothing, "Fit is aborting because something threw; ctx.exception() holds it.")
