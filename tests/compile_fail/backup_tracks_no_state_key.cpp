// backup_and_restore tracking a user's stateful callback that gives no state_key().
// expect: cue: backup_and_restore tracks the type 'T', which needs state_dict\(\), load_state_dict\(d\) and state_key\(\)
// expect-gnu: T = counter
// max-lines: 20
#include "common.hpp"

#include <string>

#include <cue/callbacks/backup_and_restore.hpp>

struct counter {
  int count = 0;
  void on_epoch_end(auto&) { ++count; }
  cue::state_dict state_dict() const { return {{"count", std::to_string(count)}}; }
  void load_state_dict(const cue::state_dict& d) { count = std::stoi(d.at("count")); }
#ifndef CUE_MISTAKE
  static std::string state_key() { return "counter"; }
#endif
};

int main() {
  file_learner learner;
  counter c;
  cue::fit(learner, data, {.epochs = 1}, c, cue::backup_and_restore({.backup_dir = "backup"}, c));
}
