// A model whose step does not return cue::logs is not a learner.
// expect: cue: the type 'Learner' cannot train on the batch type 'Batch'
// expect-gnu: Learner = plain_model
// max-lines: 20
#include "common.hpp"

struct plain_model {
#ifdef CUE_MISTAKE
  double train_step(double x) { return x; }
#else
  cue::logs<"loss"> train_step(double x) { return {x}; }
#endif
};

int main() {
  plain_model model;
  cue::fit(model, data, {.epochs = 1});
}
