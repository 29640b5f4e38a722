// A user's sink whose deliver has the wrong signature: one error naming the sink.
// expect: cue: a type given as an alert sink lacks what a sink has
// expect-named: is_an_alert_sink<pager>
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/alert.hpp>

struct pager {
  std::string describe() const { return "pager"; }
#ifdef CUE_MISTAKE
  bool deliver(const std::string& text) { return !text.empty(); }
#else
  std::string deliver(const cue::alert_message&) { return {}; }
#endif
};

int main() {
  cue::alert alert({.sinks = {pager{}}}, cue::rules::non_finite<"loss">{});
  (void)alert;
}
