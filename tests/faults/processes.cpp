// Child processes under real faults: commands that hang, ignore SIGTERM or never read their input.
// Each runs with a timeout that covers writing its input, is killed with its process group, and
// is reaped; its last lines of output come back in cue's words.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/alerts/message.hpp>
#include <cue/callbacks/mirror_checkpoints.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/fit.hpp>
#include <cue/process.hpp>
#include <cue/sinks/command.hpp>

#include "../support.hpp"

using cue_test::batch;
using cue_test::scripted_learner;
using seconds = std::chrono::duration<double>;
namespace fs = std::filesystem;

namespace {
constexpr double slack = 3.0;  // sanitizers; the real figures are in benchmarks/ring_end.cpp
const double grace = seconds(cue::cancel_grace).count();
double since(std::chrono::steady_clock::time_point t) { return seconds(std::chrono::steady_clock::now() - t).count(); }

// Whether `pid` still runs (a zombie waiting for its new parent, init, to reap it does not).
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const auto state = text.find(") ");
  return state != std::string::npos && text.at(state + 2) != 'Z';
}

// No child of this process is left: every one was reaped.
bool no_children_left() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}
}  // namespace

TEST_CASE("a command that hangs is killed at its timeout, with its process group, and reaped") {
  const auto dir = cue_test::fresh_dir("faults-hang");
  // The grandchild (sleep, in the background) would keep the output pipe open if only the shell died.
  const auto start = std::chrono::steady_clock::now();
  const cue::process_result r =
      cue::run_process({"sh", "-c", "echo started; sleep 30 & echo $! > " + (dir / "pid").string() + "; wait"}, "",
                       seconds(0.5));
  CHECK(since(start) < 0.5 + grace + slack);
  CHECK_FALSE(r.ok);
  CHECK(r.problem.find("0.5 s") != std::string::npos);
  CHECK(r.output.find("started") != std::string::npos);
  CHECK(no_children_left());
  std::ifstream pid_file(dir / "pid");
  pid_t grandchild = 0;
  REQUIRE(pid_file >> grandchild);
  const auto killed = std::chrono::steady_clock::now();
  while (running(grandchild) && since(killed) < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK_FALSE(running(grandchild));  // gone with its group
}

TEST_CASE("a command that ignores SIGTERM is killed after cancel_grace") {
  const auto start = std::chrono::steady_clock::now();
  const cue::process_result r = cue::run_process({"sh", "-c", "trap '' TERM; sleep 30"}, "", seconds(0.3));
  CHECK(since(start) < 0.3 + grace + slack);
  CHECK_FALSE(r.ok);
  CHECK(no_children_left());
}

TEST_CASE("the command sink: a child that never reads a 1 MB message fails at the timeout, not delivered") {
  cue::alert_message m;
  m.title = "big";
  m.details.emplace_back("payload", std::string(1 << 20, 'x'));
  const auto start = std::chrono::steady_clock::now();
  // Before: the write blocked 4 s past a 0.5 s timeout and counted as delivered.
  const std::string problem = cue::sinks::command{.argv = {"sleep", "30"}, .timeout = seconds(0.5)}.deliver(m);
  CHECK(since(start) < 0.5 + grace + slack);
  CHECK(problem.find("0.5 s") != std::string::npos);
  CHECK(no_children_left());
}

TEST_CASE("the command sink: a failing command's last lines, bounded, are in the problem") {
  std::string script = "for i in $(seq 1 500); do echo line $i; done; exit 3";
  const std::string problem = cue::sinks::command{.argv = {"sh", "-c", script}}.deliver(cue::alert_message{});
  CHECK(problem.find("line 500") != std::string::npos);
  CHECK(problem.find("line 480") == std::string::npos);  // only the last lines
  CHECK(problem.size() < 5000);
}

TEST_CASE("the command sink: a message that is not UTF-8 reaches the child as valid JSON") {
  const auto dir = cue_test::fresh_dir("faults-utf8");
  cue::alert_message m;
  m.title = "caf\xe9 \xff failed";
  // Before: the JSON encoder threw after the child was spawned, which then waited forever.
  const std::string problem =
      cue::sinks::command{.argv = {"sh", "-c", "cat > " + (dir / "got.json").string()}, .timeout = seconds(5)}.deliver(m);
  CHECK(problem.empty());
  std::ifstream in(dir / "got.json");
  const std::string got((std::istreambuf_iterator<char>(in)), {});
  CHECK(got.find("caf\xef\xbf\xbd \xef\xbf\xbd failed") != std::string::npos);  // U+FFFD for each bad byte
  CHECK(no_children_left());
}

TEST_CASE("mirror_checkpoints with a command that hangs: fit and the process end within the budget") {
  const auto dir = cue_test::fresh_dir("faults-mirror");
  std::ostringstream log;
  scripted_learner learner{.val_loss = {0.9, 0.5, 0.4}};
  const auto start = std::chrono::steady_clock::now();
  double in_fit = 0;
  {
    cue::mirror_checkpoints mirror({.destination = "s3://dead/run", .command = {"sleep", "25"}, .retries = 0,
                                    .drain_timeout = seconds(1), .log = &log, .timeout = seconds(60)});
    cue::fit(learner, std::vector<batch>{{1.0}}, std::vector<batch>{{1.0}}, {.epochs = 3, .verbose = 0},
             cue::model_checkpoint<"val_loss">({.filepath = (dir / "m-{epoch}.bin").string()}), mirror);
    in_fit = since(start);
    CHECK(mirror.failed() == 3);
  }
  // Before: fit returned, then the destructor waited on `sleep 25` (on rclone, for 15 minutes and more).
  CHECK(in_fit < 1 + grace + slack);
  CHECK(since(start) - in_fit < grace + slack);
  CHECK(no_children_left());
  INFO(log.str());
  // True counts: 3 checkpoints, one cancelled in flight, two still queued.
  CHECK(log.str().find("3 of 3 copies") != std::string::npos);
  CHECK(log.str().find("1 cancelled in flight") != std::string::npos);
  CHECK(log.str().find("2 still queued") != std::string::npos);
  // Nothing staged is left behind.
  for (const auto& e : fs::recursive_directory_iterator(dir))
    CHECK(e.path().filename().string().rfind(".cue-tmp-", 0) != 0);
}
