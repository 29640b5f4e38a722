// Trains a one-parameter model with an early stop, through the installed or embedded cue.
#include <cue/cue.hpp>

#include <cstdio>
#include <vector>

struct line_fit {
  double w = 0;
  cue::logs<"loss"> train_step(double x) {
    const double err = w * x - 2 * x;
    w -= 0.1 * err * x;
    return {err * err};
  }
};

struct stop_when_small {
  void on_epoch_end(auto& ctx) {
    if (cue::get<"loss">(ctx.logs()) < 1e-6) ctx.request_stop();
  }
};

int main() {
  line_fit model;
  const std::vector<double> xs{1.0, 2.0, 0.5};
  auto h = cue::fit(model, xs, {.epochs = 100}, stop_when_small{});
  std::printf("epochs=%zu w=%.4f\n", h.epochs().size(), model.w);
  return (h.epochs().size() < 100 && model.w > 1.99 && model.w < 2.01) ? 0 : 1;
}
