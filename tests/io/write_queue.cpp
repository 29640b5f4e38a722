// cue::io::write_queue: in order on one worker; a full queue waits, or drops its oldest task.
#include <cue/io/write_queue.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

namespace {
// Holds the worker in its first task until released.
struct gate {
  std::promise<void> opened;
  std::shared_future<void> open = opened.get_future().share();
};
}  // namespace

TEST_CASE("tasks run in order; a failure comes back at the next post or wait") {
  cue::io::write_queue q;
  std::vector<int> ran;
  for (int i = 0; i < 5; ++i) q.post([&ran, i] { ran.push_back(i); });
  q.wait();
  CHECK(ran == std::vector<int>{0, 1, 2, 3, 4});
  q.post([] { throw std::runtime_error("disk full"); });
  CHECK_THROWS_WITH(q.wait(), "disk full");
}

TEST_CASE("drop_oldest: posting to a full queue never waits; the oldest waiting task goes, counted") {
  cue::io::write_queue q(2, cue::io::when_full::drop_oldest);
  gate g;
  std::mutex m;
  std::vector<int> ran;
  std::promise<void> started;
  q.post([&] {
    started.set_value();
    g.open.wait();
  });
  started.get_future().wait();  // the worker holds task 0; the queue is empty
  for (int i = 1; i <= 5; ++i)
    q.post([&, i] {
      std::lock_guard lock(m);
      ran.push_back(i);
    });
  CHECK(q.dropped() == 3);  // 1, 2 and 3 went to make room for 4 and 5
  g.opened.set_value();
  q.wait();
  CHECK(ran == std::vector<int>{4, 5});
}

TEST_CASE("wait: a full queue makes the poster wait for room, and nothing is dropped") {
  cue::io::write_queue q(1);
  gate g;
  std::vector<int> ran;
  std::promise<void> started;
  q.post([&] {
    started.set_value();
    g.open.wait();
  });
  started.get_future().wait();
  q.post([&] { ran.push_back(1); });  // fills the queue
  auto blocked = std::async(std::launch::async, [&] { q.post([&] { ran.push_back(2); }); });
  CHECK(blocked.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout);
  g.opened.set_value();
  blocked.get();
  q.wait();
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(q.dropped() == 0);
}
