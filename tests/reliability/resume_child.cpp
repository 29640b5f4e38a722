// The training the kill test interrupts: a small classifier with early stopping, reduce-LR and a
// shuffled dataset, backed up every epoch or every N batches. Prints the final weights' digest.
// Usage: resume_child [BACKUP_DIR [N]] (no BACKUP_DIR: no backup, the reference run)
#include <cstdio>
#include <random>
#include <string>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/cue.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/blas.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>

#include "lifted_classes.hpp"

int main(int argc, char** argv) {
  cue::nn::set_threads(1);
  const std::string backup_dir = argc > 1 ? argv[1] : "";
  const cue::save_frequency freq = argc > 2 ? cue::save_frequency(std::stoi(argv[2])) : cue::every_epoch;
  const auto d = cue_test::lifted_classes(8000, 64, 4, 0.3f);
  const auto [train, val] = cue::data::split(d, 0.25);
  std::mt19937_64 rng(7);
  cue::nn::sequential net{cue::nn::dense(64, 128, rng), cue::nn::relu{}, cue::nn::dense(128, 4, rng)};
  cue::nn::classifier model(std::move(net), cue::nn::adam({.learning_rate = 3e-3}));
  cue::data::batches train_batches(train, {.batch_size = 16, .seed = 11});
  cue::data::batches val_batches(val, {.batch_size = 64, .shuffle = false});
  cue::early_stopping<"val_loss"> early_stop({.patience = 6, .restore_best_weights = true});
  cue::reduce_lr_on_plateau<"val_loss"> reduce_lr({.factor = 0.5, .patience = 1});
  const cue::fit_options opts{.epochs = 30, .verbose = 0};  // its output is the digest
  if (backup_dir.empty()) {
    cue::fit(model, train_batches, val_batches, opts, early_stop, reduce_lr);
  } else {
    // Nothing listed: it finds early_stop, reduce_lr and the data's shuffle in the fit.
    cue::backup_and_restore backup({.backup_dir = backup_dir, .save_freq = freq});
    cue::fit(model, train_batches, val_batches, opts, early_stop, reduce_lr, backup);
    if (const auto& at = backup.resumed_from()) std::fprintf(stderr, "resumed=%d:%zu\n", at->epoch, at->batch);
  }
  std::printf("digest=%s\n", model.weights_digest().c_str());
}
