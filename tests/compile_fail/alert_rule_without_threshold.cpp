// A threshold rule written without its threshold would fire at 0: it does not compile.
// expect: cue: rules::above and rules::below need a threshold
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/alert.hpp>

struct nowhere {
  std::string describe() const { return "nowhere"; }
  std::string deliver(const cue::alert_message&) { return {}; }
};

int main() {
#ifdef CUE_MISTAKE
  cue::alert alert({.sinks = {nowhere{}}}, cue::rules::above<"loss">{});
#else
  cue::alert alert({.sinks = {nowhere{}}}, cue::rules::above<"loss">{.threshold = 10.0});
#endif
  (void)alert;
}
