// Instructions of Fashion-MNIST-sized training (784 -> 128 -> 10, Adam, batch 32; 2,880 random
// images and 320 for validation, so it runs quickly under callgrind), through cue::fit with the
// example's callbacks or through a hand-written loop. run_all.py takes the slope per epoch.
// `watch` adds tensorboard (histograms every epoch), training_curves and summary_report; callgrind
// counts their worker thread's instructions too.
// Usage: fashion_counts fit|watch|hand EPOCHS
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <cue/callbacks/summary_report.hpp>
#include <cue/cue.hpp>
#include <cue/nn/blas.hpp>

#include "fashion_setup.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s fit|watch|hand EPOCHS\n", argv[0]);
    return 2;
  }
  cue::nn::set_threads(1);
  const auto [train, val] = cue::data::split(cue_bench::random_fashion_images(3200), 0.1);
  auto model = cue_bench::fashion_network();
  cue::data::batches tb(train, {.batch_size = 32, .seed = 42});
  cue::data::batches vb(val, {.batch_size = 32, .shuffle = false});
  const int epochs = std::atoi(argv[2]);
  double check = 0;
  if (std::strcmp(argv[1], "fit") == 0 || std::strcmp(argv[1], "watch") == 0) {
    const auto dir = std::filesystem::temp_directory_path() / "cue-fashion-counts";
    std::ostringstream progress, csv;
    cue::early_stopping<"val_loss"> es({.patience = 3, .restore_best_weights = true});
    auto example = cue::callbacks{cue::stop_on_signal{}, cue::progbar_logger(progress), es,
                                  cue::model_checkpoint<"val_accuracy">({.filepath = (dir / "best.npz").string(),
                                                                         .save_best_only = true,
                                                                         .save_weights_only = true}),
                                  cue::reduce_lr_on_plateau<"val_loss">({.factor = 0.5, .patience = 2}),
                                  cue::csv_logger(csv)};
    cue::history h;
    if (std::strcmp(argv[1], "fit") == 0) {
      h = cue::fit(model, tb, vb, {.epochs = epochs}, example);
    } else {
      h = cue::fit(model, tb, vb, {.epochs = epochs}, example,
                   cue::tensorboard({.log_dir = (dir / "logs").string(), .histogram_freq = 1}),
                   cue::training_curves<"val_loss">({.path = (dir / "curves.svg").string()}),
                   cue::summary_report({.directory = dir.string()}));
    }
    check = h["loss"].back();
    std::filesystem::remove_all(dir);
  } else {
    for (int e = 0; e < epochs; ++e) {
      double loss = 0, acc = 0, n = 0, vloss = 0, vacc = 0, vn = 0;
      for (const auto& b : tb) {
        const auto l = model.train_step(b);
        const auto w = static_cast<double>(b.size());
        loss += cue::get<"loss">(l) * w, acc += cue::get<"accuracy">(l) * w, n += w;
      }
      for (const auto& b : vb) {
        const auto l = model.test_step(b);
        const auto w = static_cast<double>(b.size());
        vloss += cue::get<"loss">(l) * w, vacc += cue::get<"accuracy">(l) * w, vn += w;
      }
      check = loss / n + acc / n + vloss / vn + vacc / vn;
    }
  }
  std::printf("%s %d %g\n", argv[1], epochs, check);
}
