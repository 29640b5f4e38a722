// A user with their own training loop emits the events through cue::callbacks.
#include <cue/callbacks.hpp>
#include <cue/context.hpp>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace {
struct stop_after_two_epochs {
  void on_epoch_end(auto& ctx) {
    if (ctx.epoch() == 1) ctx.request_stop();
  }
};
}  // namespace

TEST_CASE("a hand-written loop emits events; callbacks steer it with request_stop") {
  std::vector<std::string> seen;
  cue::callbacks cbs{cue_test::recorder{&seen, ""}, stop_after_two_epochs{}};
  double model = 0;  // anything: the loop is the user's

  cue::run_state state;
  state.params.epochs = 5;
  cue::logs<> none;
  cue::context begin(state, model, none);
  cue::emit(cue::event::train_begin{}, cbs, begin);
  for (state.epoch = 0; state.epoch < state.params.epochs && !state.stop; ++state.epoch) {
    cue::emit(cue::event::epoch_begin{}, cbs, begin);
    cue::logs<"loss"> epoch_logs{1.0 / (state.epoch + 1)};
    cue::context end(state, model, epoch_logs);
    cue::emit(cue::event::epoch_end{}, cbs, end);
  }
  cue::emit(cue::event::train_end{}, cbs, begin);
  CHECK(seen == std::vector<std::string>{"train_begin", "epoch_begin:0", "epoch_end:0",
                                         "epoch_begin:1", "epoch_end:1", "train_end"});
}
