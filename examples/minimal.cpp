#include <cue/cue.hpp>

#include <cstdio>
#include <vector>

// A learner: any type whose train_step returns cue::logs<...>.
struct line {
  double w = 0;
  cue::logs<"loss"> train_step(double x) {
    const double error = (w - 3) * x;  // learn y = 3x
    w -= 0.1 * error * x;
    return {error * error};
  }
};

// A callback: a plain type with hooks named after Keras's events.
struct stop_when_converged {
  void on_epoch_end(auto& ctx) {
    if (cue::get<"loss">(ctx.logs()) < 1e-8) ctx.request_stop();
  }
};

int main() {
  line model;
  const std::vector<double> batches{1.0, 2.0, 0.5};
  cue::history h = cue::fit(model, batches, {.epochs = 100}, stop_when_converged{});
  std::printf("w=%.4f after %zu epochs, loss %g\n", model.w, h.epochs().size(), h["loss"].back());
}
