// How long the network ring holds the end of a run against a server that never answers: fits 3
// short epochs with one callback (remote_monitor, alert through a webhook, summary_report through
// e-mail, mirror_checkpoints through a command), each with drain_timeout (push_timeout) = BUDGET,
// then prints when fit returned (CLOCK_MONOTONIC, the clock of Python's time.monotonic) and ends.
// run_all.py starts the silent servers, and measures the process's end against that time.
// Usage: ring_end CALLBACK ENDPOINT BUDGET_SECONDS DIR
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <cue/alerts/rules.hpp>
#include <cue/callbacks/alert.hpp>
#include <cue/callbacks/mirror_checkpoints.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/remote_monitor.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/fit.hpp>
#include <cue/sinks/chat.hpp>
#include <cue/sinks/email.hpp>

namespace {
struct learner {
  double loss = 1;
  cue::logs<"loss"> train_step(int) { return {loss *= 0.9}; }
  void save(const std::filesystem::path& path) const {
    if (std::FILE* f = std::fopen(path.c_str(), "w")) std::fclose(f);
  }
  void load(const std::filesystem::path&) {}
};

double monotonic() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

template <class... Cs>
void run(Cs&&... cbs) {
  learner l;
  const std::vector<int> batches(10, 0);
  cue::fit(l, batches, {.epochs = 3, .verbose = 0}, cbs...);
  std::printf("fit returned %.6f\n", monotonic());
  std::fflush(stdout);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: ring_end CALLBACK ENDPOINT BUDGET_SECONDS DIR\n");
    return 2;
  }
  const std::string callback = argv[1], endpoint = argv[2], dir = argv[4];
  const std::chrono::duration<double> budget(std::stod(argv[3])), long_timeout(600);
  std::printf("start %.6f\n", monotonic());
  if (callback == "remote_monitor") {
    run(cue::remote_monitor({.root = endpoint, .timeout = long_timeout, .drain_timeout = budget, .log = nullptr}));
  } else if (callback == "alert") {
    run(cue::alert<cue::rules::above<"loss">>({.sinks = {cue::sinks::webhook{.url = endpoint, .timeout = long_timeout}},
                                               .drain_timeout = budget, .log = nullptr},
                                              cue::rules::above<"loss">{.threshold = 0}));
  } else if (callback == "summary_report") {
    run(cue::summary_report({.directory = dir,
                             .sinks = {cue::sinks::email{.url = endpoint, .from = "cue@example.com", .to = {"ops@example.com"},
                                                  .timeout = long_timeout}},
                             .push_timeout = budget, .log = nullptr}));
  } else if (callback == "mirror_checkpoints") {
    run(cue::model_checkpoint<"loss">({.filepath = dir + "/m-{epoch}.bin"}),
        cue::mirror_checkpoints({.destination = endpoint, .command = {"sleep", "600"}, .retries = 0,
                                 .drain_timeout = budget, .log = nullptr, .timeout = long_timeout}));
  } else {
    std::fprintf(stderr, "unknown callback %s\n", callback.c_str());
    return 2;
  }
  return 0;
}
