// Reading a log value that is not there lists the ones that are.
// expect: cue: cue::get<Wanted>\(logs\): these logs have no value named 'Wanted'
// expect-gnu: Wanted = cue::fixed_string<4>{"lss"}
// expect-gnu: Available = {cue::fixed_string<5>{"loss"}, cue::fixed_string<9>{"accuracy"}}
// max-lines: 20
#include "common.hpp"

int main() {
  cue::logs<"loss", "accuracy"> logs{0.5, 0.9};
#ifdef CUE_MISTAKE
  return static_cast<int>(cue::get<"lss">(logs));
#else
  return static_cast<int>(cue::get<"loss">(logs));
#endif
}
