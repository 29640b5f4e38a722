// cue::worker: in order on one thread; a full queue waits or drops its oldest task; every end is
// bounded (drain budget, then cancel, then cue::cancel_grace), and counts what became of each task.
#include <cue/worker.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace {
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Holds the worker in its first task until released.
struct gate {
  std::promise<void> opened;
  std::shared_future<void> open = opened.get_future().share();
};

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

// A task that runs until told to stop (what cue's HTTP posts and child processes do).
bool until_stopped(std::stop_token stop) {
  while (!stop.stop_requested()) std::this_thread::sleep_for(1ms);
  return false;
}
}  // namespace

TEST_CASE("tasks run in order; a failure is counted and comes back once, at rethrow_failure") {
  cue::worker w;
  std::vector<int> ran;
  for (int i = 0; i < 5; ++i)
    w.post([&ran, i](std::stop_token) {
      ran.push_back(i);
      return i != 3;  // the fourth says it failed
    });
  w.wait();
  CHECK(ran == std::vector<int>{0, 1, 2, 3, 4});
  w.post([](std::stop_token) -> bool { throw std::runtime_error("disk full"); });
  w.wait();
  const auto c = w.counts();
  CHECK(c.posted == 6);
  CHECK(c.done == 4);
  CHECK(c.failed == 2);
  CHECK_THROWS_WITH(w.rethrow_failure(), "disk full");
  CHECK_NOTHROW(w.rethrow_failure());  // once
}

TEST_CASE("drop_oldest: posting to a full queue never waits; the oldest waiting task goes, counted") {
  cue::worker w({.capacity = 2, .policy = cue::when_full::drop_oldest});
  gate g;
  std::mutex m;
  std::vector<int> ran;
  std::promise<void> started;
  w.post([&](std::stop_token) {
    started.set_value();
    g.open.wait();
    return true;
  });
  started.get_future().wait();  // the worker holds task 0; the queue is empty
  for (int i = 1; i <= 5; ++i)
    w.post([&, i](std::stop_token) {
      std::lock_guard lock(m);
      ran.push_back(i);
      return true;
    });
  CHECK(w.counts().dropped == 3);  // 1, 2 and 3 went to make room for 4 and 5
  g.opened.set_value();
  w.wait();
  CHECK(ran == std::vector<int>{4, 5});
}

TEST_CASE("wait: a full queue makes the poster wait for room, and nothing is dropped") {
  cue::worker w({.capacity = 1});
  gate g;
  std::vector<int> ran;
  std::promise<void> started;
  w.post([&](std::stop_token) {
    started.set_value();
    g.open.wait();
    return true;
  });
  started.get_future().wait();
  w.post([&](std::stop_token) {
    ran.push_back(1);
    return true;
  });  // fills the queue
  auto blocked = std::async(std::launch::async, [&] {
    w.post([&](std::stop_token) {
      ran.push_back(2);
      return true;
    });
  });
  CHECK(blocked.wait_for(100ms) == std::future_status::timeout);
  g.opened.set_value();
  blocked.get();
  w.wait();
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(w.counts().dropped == 0);
}

TEST_CASE("finish: waits its budget, then drops what never started and stops the task running") {
  cue::worker w({.capacity = 8, .drain_timeout = 200ms});
  std::atomic<bool> saw_stop = false;
  w.post([&](std::stop_token stop) {
    until_stopped(stop);
    saw_stop = true;
    return false;
  });
  for (int i = 0; i < 3; ++i) w.post([](std::stop_token) { return true; });
  const auto start = clock_type::now();
  const cue::worker_end end = w.finish();
  const double took = seconds_since(start);
  CHECK(took >= 0.2);
  CHECK(took < 0.2 + 0.5);  // the task returns as soon as it is told
  CHECK(end.dropped == 3);
  CHECK(end.cancelled == 1);
  CHECK_FALSE(end.abandoned);
  CHECK(saw_stop);
  const auto c = w.counts();
  CHECK(c.posted == 4);
  CHECK(c.done == 0);
  CHECK(c.failed == 0);  // the cancelled one is counted as cancelled, not as failed
  CHECK(c.cancelled == 1);
  CHECK(c.dropped == 3);
  // It takes tasks again: the next fit's.
  w.post([](std::stop_token) { return true; });
  CHECK(w.finish().complete());
  CHECK(w.counts().done == 1);
}

TEST_CASE("an end never waits past its budget and cancel_grace, even for a task that ignores its stop") {
  auto held = std::make_shared<std::atomic<int>>(0);
  const auto start = clock_type::now();
  {
    cue::worker w({.drain_timeout = 100ms});
    // What the task uses it holds: the worker may go while it still runs.
    w.post([held](std::stop_token) {
      std::this_thread::sleep_for(2500ms);  // deaf to its stop token
      held->store(1);
      return true;
    });
    std::this_thread::sleep_for(20ms);
  }  // the destructor: no end ran, so the whole budget, then cancel_grace, then it lets the task be
  const double took = seconds_since(start);
  CHECK(took < 0.1 + std::chrono::duration<double>(cue::cancel_grace).count() + 0.5);
  CHECK(held->load() == 0);
  std::this_thread::sleep_for(3s);  // the task ends alone, writing what it holds (AddressSanitizer checks)
  CHECK(held->load() == 1);
}

TEST_CASE("after finish, the destructor waits cancel_grace at most") {
  auto held = std::make_shared<int>(0);
  cue::worker_end end;
  double destroyed_in = 0;
  {
    cue::worker w({.drain_timeout = 50ms});
    w.post([held](std::stop_token) {
      std::this_thread::sleep_for(3s);
      return true;
    });
    std::this_thread::sleep_for(20ms);
    end = w.finish();  // 50 ms, then cancel_grace: the task does not listen
    const auto start = clock_type::now();
    w.close();
    destroyed_in = seconds_since(start);
  }
  CHECK(end.cancelled == 1);
  CHECK(end.abandoned);
  CHECK(destroyed_in < std::chrono::duration<double>(cue::cancel_grace).count() + 0.5);
  std::this_thread::sleep_for(3500ms);
}

TEST_CASE("a worker whose tasks use their owner waits for the running one at every end") {
  std::atomic<bool> finished = false;
  {
    cue::worker w({.drain_timeout = 50ms, .tasks_own_what_they_use = false});
    w.post([&](std::stop_token) {
      std::this_thread::sleep_for(1500ms);  // longer than cancel_grace
      finished = true;
      return true;
    });
    std::this_thread::sleep_for(20ms);
  }
  CHECK(finished);  // never left running past its owner
}

TEST_CASE("undone_report says what became of each task not done") {
  cue::worker_counts run{.posted = 5, .done = 1, .failed = 1, .dropped = 2, .cancelled = 1};
  const cue::worker_end end{.dropped = 1, .cancelled = 1, .abandoned = false};
  CHECK(cue::undone_report(run, end, "posts to X", "not delivered", 10s) ==
        "4 of 5 posts to X not delivered by the end of training: 1 failed, 1 dropped from a full queue, 1 still "
        "queued when drain_timeout (10 s) ran out, 1 cancelled in flight");
  run = {.posted = 2, .done = 2};
  CHECK(cue::undone_report(run, {}, "posts", "not delivered", 10s).empty());
}
