// cue::in_background: a callback's hooks run on a worker thread, so slow work (writing or
// uploading a checkpoint, a remote logger) does not stall training.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include <cue/callbacks.hpp>
#include <cue/context.hpp>
#include <cue/events.hpp>

namespace cue {

/// Options of `cue::in_background`.
struct in_background_options {
  std::size_t capacity = 8;  ///< events queued at most; a full queue makes training wait
};

/// Runs callback `C`'s hooks on one worker thread, in order: `cue::in_background(uploader)`.
/// For each event `C` handles, the training thread queues a copy of what the hook sees (the
/// loop's counters, the logs, and a copy of the learner, so a checkpoint written in the background
/// is the weights of that moment) and goes on. A stop requested by the hook takes effect at a
/// stop check after the next event; an exception thrown by the hook is rethrown on the training
/// thread at the next event or at train end. The queue is drained at train end and on an
/// exception, so nothing queued is lost. Wrap callbacks with epoch-level hooks: each handled
/// event copies the learner. Needs a copyable learner.
template <class C>
class in_background : public detail::forward_events<in_background<C>> {
 public:
  using inner_type = std::remove_cvref_t<C>;
  using options = in_background_options;

  template <class A>
  explicit in_background(A&& inner, options opts = {}) : inner_(std::forward<A>(inner)), opts_(opts) {}
  in_background(in_background&& other) noexcept : inner_(std::move(other.inner_)), opts_(other.opts_) {}
  ~in_background() { stop_worker(); }

  template <class Event, class Ctx>
  static constexpr bool takes = takes_event<Event, C, Ctx> || std::is_same_v<Event, event::train_begin> ||
                                std::is_same_v<Event, event::train_end> ||
                                std::is_same_v<Event, event::exception>;

  [[nodiscard]] auto& inner() noexcept { return inner_.get(); }

 private:
  friend detail::forward_events<in_background>;

  template <class Event, class Ctx>
  void deliver(Ctx& ctx) {
    start_worker();  // at train begin, or at the first event of a loop without one (evaluate)
    rethrow_and_relay_stop(ctx);
    if constexpr (takes_event<Event, C, Ctx>) {
      using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
      using logs_type = std::remove_cvref_t<decltype(ctx.logs())>;
      static_assert(std::is_copy_constructible_v<learner_type>,
                    "cue: in_background copies the learner for its callback; the learner type "
                    "'learner_type' cannot be copied");
      push([this, state = ctx.state(), learner = ctx.learner(), logs = ctx.logs()]() mutable {
        state.stop = false;
        context<learner_type, logs_type> copy(state, learner, logs);
        cue::emit(Event{}, inner_.get(), copy);
        if (state.stop) stop_requested_ = true;
      });
    }
    if constexpr (std::is_same_v<Event, event::train_end>) {
      drain();
      rethrow_and_relay_stop(ctx);
    } else if constexpr (std::is_same_v<Event, event::exception>) {
      drain();  // the original exception is the one fit rethrows
      error_ = nullptr;
    }
  }

  template <class Ctx>
  void rethrow_and_relay_stop(Ctx& ctx) {
    std::exception_ptr e;
    {
      std::lock_guard lock(mutex_);
      std::swap(e, error_);
    }
    if (e) std::rethrow_exception(e);
    if (stop_requested_.exchange(false)) ctx.request_stop();
  }

  void push(std::function<void()> task) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < opts_.capacity; });
    queue_.push_back(std::move(task));
    changed_.notify_all();
  }

  void drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.empty() && !busy_; });
  }

  void start_worker() {
    if (worker_.joinable()) return;
    quit_ = false;
    worker_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      for (;;) {
        changed_.wait(lock, [&] { return quit_ || !queue_.empty(); });
        if (queue_.empty()) return;  // quit and nothing left
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

  void stop_worker() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
  }

  detail::slot<C> inner_;
  options opts_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  std::exception_ptr error_;
  std::atomic<bool> stop_requested_{false};
  bool busy_ = false, quit_ = false;
  std::thread worker_;
};

template <class A>
in_background(A&&, in_background_options = {}) -> in_background<A>;

namespace detail {
template <class C>
struct is_group<in_background<C>> : std::true_type {};
}  // namespace detail

}  // namespace cue
