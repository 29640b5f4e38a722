// An alert sink that runs a command with the message, as cue's JSON object, on its standard
// input (a script that pages someone, `logger`, `mail`). POSIX; needs nlohmann-json.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>
#include <vector>

#include <cue/alerts/message.hpp>
#include <cue/json.hpp>
#include <cue/process.hpp>

namespace cue::sinks {

/// Runs `argv` (found on PATH) with the message on standard input: cue::to_json's object, one
/// line. Exit status 0 is a delivery. It has `timeout` for everything, writing the message
/// included; past it, or when the end of training cancels it, its process group is killed and
/// reaped (cue::run_process). What it writes to standard output and error is kept, not shown:
/// its last lines go into the reason a delivery failed.
struct command {
  std::vector<std::string> argv;
  std::chrono::duration<double> timeout{30.0};

  [[nodiscard]] std::string describe() const { return "command " + (argv.empty() ? std::string() : argv[0]); }

  [[nodiscard]] std::string deliver(const alert_message& m, std::stop_token stop = {}) const {
    const process_result r = run_process(argv, json::dump(to_json(m)) + "\n", timeout, stop);
    if (r.ok) return {};
    return r.output.empty() ? r.problem : r.problem + "; its last output:\n" + r.output;
  }
};

}  // namespace cue::sinks
