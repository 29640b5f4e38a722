// A user's alert rule that is not a metric rule would never fire: one error naming it.
// expect: cue: cue::alert was given a rule it cannot watch
// expect-named: is_a_rule<loss_doubled>
// max-lines: 20
#include "common.hpp"

#include <cue/callbacks/alert.hpp>

struct nowhere {
  std::string describe() const { return "nowhere"; }
  std::string deliver(const cue::alert_message&) { return {}; }
};

struct loss_doubled {
  using monitored = cue::names<"loss">;
  static constexpr std::string_view metric() noexcept { return "loss"; }
  static constexpr std::string_view reference_name() noexcept { return "threshold"; }
  std::string rule() const { return "loss doubled"; }
#ifdef CUE_MISTAKE
  bool fires(double v) const { return v > 2; }
#else
  cue::rules::finding check(double v) const { return {v > 2, v, 2.0}; }
#endif
  std::string title = "loss doubled";
  cue::alert_level level = cue::alert_level::warning;
};

int main() {
  cue::alert alert({.sinks = {nowhere{}}}, loss_doubled{});
  (void)alert;
}
