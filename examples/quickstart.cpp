// Quick start: a logistic-regression learner, two callbacks of your own, and cue::fit.
#include <cue/cue.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "blobs.hpp"  // sample, batch, blobs(n, seed): the toy data

// Any type with train_step / test_step returning cue::logs<...> is a learner.
struct logistic_regression {
  double w1 = 0, w2 = 0, b = 0, lr = 0.5;

  double prob(const sample& s) const { return 1 / (1 + std::exp(-(w1 * s.x1 + w2 * s.x2 + b))); }

  cue::logs<"loss", "accuracy"> test_step(const batch& xs) {
    double loss = 0, correct = 0;
    for (const auto& s : xs) {
      const double p = prob(s);
      loss -= s.label * std::log(p) + (1 - s.label) * std::log(1 - p);
      correct += (p > 0.5) == (s.label > 0.5);
    }
    return {loss / xs.size(), correct / xs.size()};
  }
  cue::logs<"loss", "accuracy"> train_step(const batch& xs) {
    double g1 = 0, g2 = 0, gb = 0;
    for (const auto& s : xs) {
      const double e = prob(s) - s.label;
      g1 += e * s.x1, g2 += e * s.x2, gb += e;
    }
    auto logs = test_step(xs);
    w1 -= lr * g1 / xs.size(), w2 -= lr * g2 / xs.size(), b -= lr * gb / xs.size();
    return logs;
  }
};

// A callback is a plain type with hooks named after Keras's events.
struct print_epoch {
  void on_epoch_end(auto& ctx) {
    std::printf("epoch %d: loss=%.4f accuracy=%.4f val_loss=%.4f\n", ctx.epoch() + 1,
                cue::get<"loss">(ctx.logs()), cue::get<"accuracy">(ctx.logs()),
                cue::get<"val_loss">(ctx.logs()));  // a typo here is a compile error
  }
};

struct stop_when_val_loss_stalls {
  double best = INFINITY;
  int wait = 0, patience = 2;
  void on_epoch_end(auto& ctx) {
    const double v = cue::get<"val_loss">(ctx.logs());
    if (v < best - 1e-4) best = v, wait = 0;
    else if (++wait >= patience) ctx.request_stop();
  }
};

int main() {
  logistic_regression model;
  stop_when_val_loss_stalls stopper;  // an lvalue: used by reference, readable afterwards
  // .verbose = 0: print_epoch shows each epoch instead of Keras's progress lines.
  auto history = cue::fit(model, blobs(50, 1), blobs(10, 2), {.epochs = 30, .verbose = 0}, print_epoch{}, stopper);
  const auto test = cue::evaluate(model, blobs(10, 3));
  std::printf("quickstart: epochs=%zu best_val_loss=%.4f test_accuracy=%.4f\n",
              history.epochs().size(), stopper.best, cue::get<"accuracy">(test));
  return cue::get<"accuracy">(test) > 0.9 ? 0 : 1;
}
