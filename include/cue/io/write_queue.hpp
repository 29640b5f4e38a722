// cue::io::write_queue: file work done in order on one worker thread, so that writing logs does
// not stall training; a failure is reported on the training thread at its next call.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace cue::io {

/// What posting to a full queue does: wait for room (a disk slower than training slows training
/// rather than filling memory), or drop the oldest waiting task (a network that does not answer
/// must never slow training; what is dropped is counted).
enum class when_full { wait, drop_oldest };

class write_queue {
 public:
  /// At most `capacity` tasks wait (at least one).
  explicit write_queue(std::size_t capacity = 1024, when_full policy = when_full::wait)
      : capacity_(capacity == 0 ? 1 : capacity), policy_(policy) {}
  write_queue(const write_queue&) = delete;
  write_queue& operator=(const write_queue&) = delete;
  ~write_queue() { stop(); }

  /// Queues `task`; rethrows the exception of an earlier task that failed (once).
  void post(std::function<void()> task) {
    start();
    std::unique_lock lock(mutex_);
    rethrow(lock);
    if (policy_ == when_full::drop_oldest && queue_.size() >= capacity_) {
      queue_.pop_front();
      ++dropped_;
    }
    changed_.wait(lock, [&] { return queue_.size() < capacity_; });
    queue_.push_back(std::move(task));
    changed_.notify_all();
  }

  /// Waits until every queued task has run; rethrows the first failure among them.
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.empty() && !busy_; });
    rethrow(lock);
  }

  /// Waits at most `limit` for every queued task to run; false when some had not.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return queue_.empty() && !busy_; });
  }

  /// Drops the tasks not started yet; returns how many.
  std::size_t discard() {
    std::lock_guard lock(mutex_);
    const std::size_t n = queue_.size();
    queue_.clear();
    changed_.notify_all();
    return n;
  }

  /// Tasks dropped unrun because the queue was full (`when_full::drop_oldest`).
  [[nodiscard]] std::size_t dropped() {
    std::lock_guard lock(mutex_);
    return dropped_;
  }

  /// Runs what is queued, then ends the worker (a later post starts another).
  void stop() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
    quit_ = false;
  }

 private:
  void rethrow(std::unique_lock<std::mutex>&) {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

  void start() {
    if (worker_.joinable()) return;
    worker_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      for (;;) {
        changed_.wait(lock, [&] { return quit_ || !queue_.empty(); });
        if (queue_.empty()) return;
        auto task = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        std::exception_ptr failure;
        try {
          task();
        } catch (...) {
          failure = std::current_exception();
        }
        lock.lock();
        busy_ = false;
        if (failure && !error_) error_ = failure;
        changed_.notify_all();
      }
    });
  }

  std::size_t capacity_;
  when_full policy_;
  std::size_t dropped_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  std::exception_ptr error_;
  bool busy_ = false, quit_ = false;
  std::thread worker_;
};

}  // namespace cue::io
