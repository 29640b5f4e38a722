// Every built-in callback on one run: a logistic regression (the learner contract in full) on
// two noisy blobs, with Keras's callbacks composed at compile time.
#include <cue/cue.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <vector>

#include "blobs.hpp"                // sample, batch, blobs(n, seed): the toy data
#include "logistic_regression.hpp"  // the whole learner contract

// [listener]
// A callback of your own that hears what the others tell, without knowing them: each file
// model_checkpoint writes, each change reduce_lr_on_plateau makes.
struct run_journal {
  using listens = cue::listens<cue::checkpoint_saved, cue::learning_rate_changed>;
  std::size_t checkpoints = 0;
  void on(const cue::checkpoint_saved& e, auto&) {
    ++checkpoints;
    std::printf("epoch %d: %s written (val_accuracy %.3f)\n", e.epoch + 1, e.path.c_str(), e.score.value_or(NAN));
  }
  void on(const cue::learning_rate_changed& e, auto& ctx) {
    std::printf("epoch %d: learning rate %g -> %g\n", ctx.epoch() + 1, e.old_rate, e.new_rate);
  }
};
// [listener]

int main() {
  const auto dir = std::filesystem::temp_directory_path() / "cue-callbacks-tour";
  std::filesystem::remove_all(dir);
  logistic_regression model;

  run_journal journal;
  // [callbacks]
  cue::early_stopping<"val_loss"> early_stop(
      {.min_delta = 1e-3, .patience = 3, .restore_best_weights = true});
  cue::model_checkpoint<"val_accuracy"> best(
      {.filepath = (dir / "best-{epoch:02d}-{val_accuracy:.3f}.txt").string(),
       .save_best_only = true});
  auto history = cue::fit(
      model, blobs(40, 1), blobs(8, 2), {.epochs = 40},
      cue::progbar_logger{},                                           // Keras's progress bar
      cue::csv_logger({.filename = (dir / "log.csv").string()}),       // one row per epoch
      cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 1}),
      cue::clip_grad_norm({.max_norm = 1.0}),                          // on_after_backward
      cue::terminate_on_nan{}, cue::time_limit({.max_time = std::chrono::minutes(5)}),
      cue::every_n_epochs<10>(cue::lambda_callback{cue::on_epoch_end([](auto& ctx) {
        std::printf("epoch %d: learning_rate=%g\n", ctx.epoch() + 1,
                    cue::get<"learning_rate">(ctx.logs()));
      })}),
      early_stop, best, journal);  // lvalues: read after fit
  // [callbacks]

  const auto test = cue::evaluate(model, blobs(8, 3));
  std::printf("callbacks_tour: epochs=%zu stopped_epoch=%d best_epoch=%d checkpoints=%zu "
              "announced=%zu test_accuracy=%.3f\n",
              history.epochs().size(), early_stop.stopped_epoch(), early_stop.best_epoch(),
              best.save_count(), journal.checkpoints, cue::get<"accuracy">(test));
  std::filesystem::remove_all(dir);
  return cue::get<"accuracy">(test) > 0.9 && journal.checkpoints == best.save_count() ? 0 : 1;
}
