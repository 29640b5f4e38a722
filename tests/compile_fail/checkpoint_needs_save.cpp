// model_checkpoint with a learner that cannot write itself to a file.
// expect: cue: the callback type 'Callback' needs a learner that can write itself to a file
// expect-gnu: Learner = tiny_learner
// max-lines: 20
#include <filesystem>

#include "common.hpp"

#include <cue/callbacks/model_checkpoint.hpp>

#ifndef CUE_MISTAKE
struct saving_learner : tiny_learner {
  void save_weights(const std::filesystem::path&) {}
  void load_weights(const std::filesystem::path&) {}
};
#endif

int main() {
#ifdef CUE_MISTAKE
  tiny_learner learner;
#else
  saving_learner learner;
#endif
  cue::model_checkpoint<"loss"> mc({.filepath = "/tmp/cue-never-written-{epoch}.bin",
                                    .save_weights_only = true});
  if (learner.w > 1) cue::fit(learner, data, {.epochs = 1}, mc);  // compiled, not run
}
