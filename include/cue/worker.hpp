// cue::worker: the one way cue works off the training thread. Tasks run in order on one thread,
// through a bounded queue, and every end is bounded: drain for a budget, then cancel.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace cue {

/// What posting to a full queue does: wait for room (a disk slower than training slows training
/// rather than filling memory), or drop the oldest waiting task (a network that does not answer
/// must never slow training; what is dropped is counted).
enum class when_full { wait, drop_oldest };

/// How long a task told to stop may take to return before its worker is abandoned to it: the
/// documented constant an end may wait past its drain budget.
inline constexpr std::chrono::milliseconds cancel_grace{1000};

/// Options of a `cue::worker`.
struct worker_options {
  std::size_t capacity = 64;             ///< tasks that may wait (at least one)
  when_full policy = when_full::wait;
  /// How long `finish()` (an end of training) waits for the tasks posted before it cancels the rest.
  std::chrono::duration<double> drain_timeout{10.0};
  /// Tasks hold (by value or shared pointer) everything they use, so that a task still running
  /// after `cancel_grace` can be left to finish alone while its owner goes. When false (a task
  /// that uses its owner, such as in_background's hooks), the end waits for the running task.
  bool tasks_own_what_they_use = true;
};

/// What a worker did with the tasks posted to it; a task is counted once, where it ended.
struct worker_counts {
  std::size_t posted = 0;     ///< accepted by post()
  std::size_t done = 0;       ///< returned true
  std::size_t failed = 0;     ///< returned false or threw
  std::size_t dropped = 0;    ///< never ran: pushed out of a full queue, or still queued when an end's budget ran out
  std::size_t cancelled = 0;  ///< running when an end's budget ran out, and told to stop
  std::size_t queued = 0;     ///< waiting now
  std::size_t in_flight = 0;  ///< running now (0 or 1)
};

/// What one end (`finish`) left undone.
struct worker_end {
  std::size_t dropped = 0;     ///< tasks still queued at the budget's end, never run
  std::size_t cancelled = 0;   ///< a task running at the budget's end, told to stop
  bool abandoned = false;      ///< that task had not returned `cancel_grace` later
  [[nodiscard]] bool complete() const noexcept { return dropped == 0 && cancelled == 0; }
};

/// One thread that runs tasks in order. A task is `bool(std::stop_token)`: true when it did its
/// work; it should return soon after its token asks it to stop (cue's HTTP transfers, child
/// processes and waits all do). A task's exception counts as a failure and is kept, first one
/// first, for `rethrow_failure()`.
///
/// The ends: `wait()` waits for everything (no bound); `finish()` waits up to `drain_timeout`
/// for what is queued, then drops what never started, tells the running task to stop and waits
/// up to `cancel_grace` for it. The destructor finishes (no more waiting when an end already
/// ran, else `drain_timeout`) and so never waits longer than that budget plus `cancel_grace`: a
/// task that still runs then is left to end alone (only when `tasks_own_what_they_use`).
class worker {
 public:
  using task = std::function<bool(std::stop_token)>;

  explicit worker(worker_options opts = {}) : opts_(opts) {
    if (opts_.capacity == 0) opts_.capacity = 1;
  }
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;
  ~worker() { close(); }

  /// The last end (the destructor's, callable before it; once): no more waiting when an end
  /// already ran since the last post, else up to `drain_timeout`, then cancel; then up to
  /// `cancel_grace` for the thread to end. A thread still in a task after it is left to that task
  /// (only when `tasks_own_what_they_use`). The worker takes no task after.
  void close() noexcept {
    if (!s_ || closed_) return;
    bool exited = false;
    {
      std::unique_lock lock(s_->mutex);
      if (!s_->ended) (void)wait_until_idle(lock, opts_.drain_timeout);
      (void)stop_all();
      s_->quit = true;
      s_->changed.notify_all();
      exited = s_->changed.wait_for(lock, cancel_grace, [&] { return s_->exited; });
      if (!exited && !opts_.tasks_own_what_they_use) {
        s_->changed.wait(lock, [&] { return s_->exited; });
        exited = true;
      }
    }
    if (exited)
      thread_.join();
    else
      thread_.detach();  // a task that ignores its stop token ends alone, with what it holds
    closed_ = true;
  }

  /// Queues `t` (starting the thread on first use). With `when_full::wait` a full queue makes
  /// the caller wait for room; with `drop_oldest` the oldest waiting task is dropped and counted.
  void post(task t) {
    start();
    std::unique_lock lock(s_->mutex);
    if (opts_.policy == when_full::drop_oldest && s_->queue.size() >= opts_.capacity) {
      s_->queue.pop_front();
      ++s_->counts.dropped;
    }
    s_->changed.wait(lock, [&] { return s_->queue.size() < opts_.capacity; });
    s_->queue.push_back(std::move(t));
    ++s_->counts.posted;
    s_->ended = false;
    s_->changed.notify_all();
  }

  /// Waits until every task posted has run (no bound: for work that must be complete).
  void wait() {
    if (!s_) return;
    std::unique_lock lock(s_->mutex);
    s_->changed.wait(lock, [&] { return s_->idle(); });
  }

  /// Waits up to `budget` (`drain_timeout` when not given) for the tasks posted, then cancels
  /// what is left; says what that was. The worker takes new tasks after.
  worker_end finish() { return finish(opts_.drain_timeout); }
  worker_end finish(std::chrono::duration<double> budget) {
    worker_end end;
    if (!s_) return end;
    std::unique_lock lock(s_->mutex);
    s_->ended = true;
    if (!wait_until_idle(lock, budget)) end = cancel(lock);
    return end;
  }

  /// Rethrows, once, the first exception a task threw since the last call.
  void rethrow_failure() {
    if (!s_) return;
    std::exception_ptr e;
    {
      std::lock_guard lock(s_->mutex);
      e = std::exchange(s_->failure, nullptr);
    }
    if (e) std::rethrow_exception(e);
  }

  [[nodiscard]] worker_counts counts() const {
    if (!s_) return {};
    std::lock_guard lock(s_->mutex);
    worker_counts c = s_->counts;
    c.queued = s_->queue.size();
    c.in_flight = s_->running ? 1 : 0;
    return c;
  }
  [[nodiscard]] const worker_options& options() const noexcept { return opts_; }

 private:
  // What the thread uses: shared, so that a thread left to a task past its grace keeps it alive.
  struct state {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<task> queue;
    worker_counts counts;
    std::exception_ptr failure;
    std::stop_source current;  // the running task's
    bool running = false, quit = false, exited = false;
    bool ended = false;  // an end ran since the last post
    bool idle() const { return queue.empty() && !running; }
  };

  void start() {
    if (closed_) throw std::logic_error("cue: a worker was given a task after its last end");
    if (s_) return;
    s_ = std::make_shared<state>();
    thread_ = std::thread([s = s_] { run(*s); });
  }

  static void run(state& s) {
    std::unique_lock lock(s.mutex);
    for (;;) {
      s.changed.wait(lock, [&] { return s.quit || !s.queue.empty(); });
      if (s.queue.empty()) break;
      task t = std::move(s.queue.front());
      s.queue.pop_front();
      s.running = true;
      s.current = std::stop_source();
      const std::stop_token token = s.current.get_token();
      s.changed.notify_all();  // room in the queue
      lock.unlock();
      bool ok = false;
      std::exception_ptr thrown;
      try {
        ok = t(token);
      } catch (...) {
        thrown = std::current_exception();
      }
      t = nullptr;  // what it holds goes here, not under the lock
      lock.lock();
      s.running = false;
      if (!token.stop_requested()) {  // a cancelled task was counted when it was cancelled
        ++(ok && !thrown ? s.counts.done : s.counts.failed);
        if (thrown && !s.failure) s.failure = thrown;
      }
      s.changed.notify_all();
    }
    s.exited = true;
    s.changed.notify_all();
  }

  // Waits until idle or `budget` passes (a budget past any real run waits without a deadline).
  bool wait_until_idle(std::unique_lock<std::mutex>& lock, std::chrono::duration<double> budget) {
    constexpr std::chrono::duration<double> forever{1e9};  // 30 years: no deadline
    if (budget >= forever) {
      s_->changed.wait(lock, [&] { return s_->idle(); });
      return true;
    }
    const auto limit = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        budget > std::chrono::duration<double>::zero() ? budget : std::chrono::duration<double>::zero());
    return s_->changed.wait_until(lock, std::chrono::steady_clock::now() + limit, [&] { return s_->idle(); });
  }

  // Drops what waits and tells the running task to stop (once); says what that was.
  worker_end stop_all() {
    worker_end end;
    end.dropped = s_->queue.size();
    s_->counts.dropped += end.dropped;
    s_->queue.clear();
    if (s_->running && !s_->current.stop_requested()) {
      end.cancelled = 1;
      ++s_->counts.cancelled;
      s_->current.request_stop();
    }
    s_->changed.notify_all();
    return end;
  }

  // stop_all, then up to cancel_grace for the running task to return (without a bound when the
  // task uses its owner).
  worker_end cancel(std::unique_lock<std::mutex>& lock) {
    worker_end end = stop_all();
    if (!opts_.tasks_own_what_they_use)
      s_->changed.wait(lock, [&] { return !s_->running; });
    else if (s_->running)
      end.abandoned = !s_->changed.wait_for(lock, cancel_grace, [&] { return !s_->running; });
    return end;
  }

  worker_options opts_;
  std::shared_ptr<state> s_;
  std::thread thread_;
  bool closed_ = false;
};

/// The counts of a worker since an earlier reading (one fit's share).
[[nodiscard]] inline worker_counts operator-(worker_counts now, const worker_counts& before) {
  now.posted -= before.posted;
  now.done -= before.done;
  now.failed -= before.failed;
  now.dropped -= before.dropped;
  now.cancelled -= before.cancelled;
  return now;
}

/// What became of a fit's tasks, for its end report: "3 of 5 posts to X not delivered by the end
/// of training: 1 failed, 1 dropped from a full queue, 1 still queued when drain_timeout (10 s)
/// ran out"; empty when all were done. `run` is the fit's counts (after its end), `end` what its
/// end left undone; `what` names the tasks, `not_done` says what did not happen to them.
[[nodiscard]] inline std::string undone_report(const worker_counts& run, const worker_end& end, std::string_view what,
                                               std::string_view not_done, std::chrono::duration<double> budget) {
  const std::size_t undone = run.posted - run.done;
  if (undone == 0) return {};
  std::string text = std::to_string(undone) + " of " + std::to_string(run.posted) + " " + std::string(what) + " " +
                     std::string(not_done) + " by the end of training:";
  const char* sep = " ";
  auto part = [&](std::size_t n, std::string_view words) {
    if (n == 0) return;
    text += sep;
    text += std::to_string(n);
    text += ' ';
    text += words;
    sep = ", ";
  };
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", budget.count());
  part(run.failed, "failed");
  part(run.dropped - end.dropped, "dropped from a full queue");
  part(end.dropped, "still queued when drain_timeout (" + std::string(seconds) + " s) ran out");
  part(run.cancelled, "cancelled in flight");
  return text;
}

}  // namespace cue
