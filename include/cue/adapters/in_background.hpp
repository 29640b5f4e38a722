// cue::in_background: a callback's hooks run on a worker thread, so slow work (writing or
// uploading a checkpoint, a remote logger) does not stall training.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/callbacks.hpp>
#include <cue/context.hpp>
#include <cue/events.hpp>
#include <cue/logs.hpp>
#include <cue/requirements.hpp>
#include <cue/worker.hpp>

namespace cue {

namespace detail {
// An event where a loop starts running callbacks or stops: fit's begin, the end of any loop (fit,
// evaluation, prediction) and fit's abort. in_background waits for its queue there.
template <class Event>
inline constexpr bool bounds_a_loop = [] {
  if constexpr (hook_event<Event>)
    return Event::edge == edge::aborted || (Event::phase == phase::fit && Event::edge == edge::begin) ||
           (Event::edge == edge::end && (Event::phase == phase::fit || Event::phase == phase::test ||
                                         Event::phase == phase::predict));
  else
    return false;
}();
}  // namespace detail

/// Options of `cue::in_background`.
struct in_background_options {
  std::size_t capacity = 8;  ///< events queued at most (>= 1); a full queue makes training wait
};

namespace detail {
template <class C>
consteval bool check_runs_in_background() {
  static_assert(!changes_learner<C>,
                "cue: in_background hands the callback type 'C' a copy of the learner, and it "
                "changes the learner (it needs set_learning_rate, load_state, load or gradients): "
                "its changes would be lost; pass it to fit without in_background");
  return true;
}
}  // namespace detail

/// Runs callback `C`'s hooks on one worker thread, in order: `cue::in_background(uploader)`.
///
/// What a background hook sees is a copy taken at the event: the loop's counters and parameters
/// (`ctx.epoch()`, `ctx.batch()`, `ctx.step()`, `ctx.params()`), the logs, and a copy of the
/// learner (so a checkpoint written in the background holds the weights of that moment). Not
/// shown: the running sums and resume point of `ctx.state()`, which live in the loop. A hook may
/// request a stop (it takes effect at a stop check after a later event) and may throw (the
/// exception is rethrown on the training thread at a later event). A callback that changes the
/// learner (declared by the capabilities it needs: reduce_lr_on_plateau, learning_rate_scheduler,
/// backup_and_restore, gradient clipping) is a compile error, and early_stopping with
/// restore_best_weights an error at train begin: on a copy their changes would be lost.
///
/// on_train_begin is waited for, so a setup error stops fit before the first batch. The queue is
/// drained, and a hook's exception reported, at the end of every loop: train end, an exception in
/// fit, the end of a standalone evaluate and of predict. Each handled event copies the learner:
/// wrap callbacks with epoch-level hooks. Needs a copyable learner.
template <class C>
class in_background : public detail::forward_events<in_background<C>> {
  static_assert(detail::check_runs_in_background<std::remove_cvref_t<C>>());

 public:
  using inner_type = std::remove_cvref_t<C>;
  using options = in_background_options;

  template <class A>
  explicit in_background(A&& inner, options opts = {}) : inner_(std::forward<A>(inner)), opts_(opts) {
    if (opts_.capacity == 0)
      throw std::invalid_argument("cue: in_background: capacity must be >= 1 (a queue of 0 events "
                                  "would block training forever)");
  }
  in_background(in_background&& other) noexcept
      : inner_(std::move(other.inner_)), opts_(other.opts_), worker_(worker_options_of(opts_)) {}

  // It hears, beside its callback's events, the ends of every loop, where it drains its queue.
  template <class Event, class Ctx>
  static constexpr bool takes = takes_event<Event, C, Ctx> || detail::bounds_a_loop<Event>;

  [[nodiscard]] auto& inner() noexcept { return inner_.get(); }

 private:
  friend detail::forward_events<in_background>;

  template <class Event, class Ctx>
  void deliver(const Event& e, Ctx& ctx) {
    hand_back(ctx);
    if constexpr (std::is_same_v<Event, event::train_begin>) in_fit_ = true;
    if constexpr (takes_event<Event, C, Ctx>) {
      using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
      using logs_type = std::remove_cvref_t<decltype(ctx.logs())>;
      static_assert(std::is_copy_constructible_v<learner_type>,
                    "cue: in_background copies the learner for its callback; the learner type "
                    "'learner_type' cannot be copied");
      // Rethrows what an earlier hook threw; waits while the queue is full.
      worker_.rethrow_failure();
      worker_.post([this, e, state = snapshot(ctx.state()), learner = ctx.learner(), logs = ctx.logs()](std::stop_token) mutable {
        if constexpr (requires { typename Ctx::root_type; }) {
          // What the callback emits here is relayed to the training thread.
          relay<typename Ctx::root_type, learner_type> to_training_thread{this};
          context<learner_type, logs_type, decltype(to_training_thread)> copy(state, learner, logs,
                                                                             to_training_thread);
          cue::emit(e, inner_.get(), copy);
        } else {
          context<learner_type, logs_type> copy(state, learner, logs);
          cue::emit(e, inner_.get(), copy);
        }
        if (state.stop) {
          std::lock_guard lock(mutex_);
          if (!stop_) stop_.emplace(state.stop_reason, state.stop_message);
        }
        return true;
      });
    }
    if constexpr (std::is_same_v<Event, event::exception>) {
      in_fit_ = false;
      worker_.wait();
      try {
        worker_.rethrow_failure();
      } catch (...) {  // NOLINT(bugprone-empty-catch): the original exception is the one fit rethrows
      }
      std::lock_guard lock(mutex_);
      relayed_.clear();
    } else if constexpr (std::is_same_v<Event, event::train_begin> ||
                         std::is_same_v<Event, event::train_end> ||
                         std::is_same_v<Event, event::predict_end>) {
      if constexpr (std::is_same_v<Event, event::train_end>) in_fit_ = false;
      worker_.wait();
      worker_.rethrow_failure();  // what a hook threw
      hand_back(ctx);
    } else if constexpr (std::is_same_v<Event, event::test_end>) {
      if (!in_fit_) {  // a standalone evaluation ends here; validation inside fit goes on
        worker_.wait();
        worker_.rethrow_failure();
        hand_back(ctx);
      }
    }
  }

  // Listens, on the worker, to every typed event the callback emits, and queues it for the
  // training thread, where the next event of the loop delivers it to the loop's callbacks.
  template <class Root, class Learner>
  struct relay {
    in_background* owner;
    template <class Event, class Ctx>
    void on(const Event& e, Ctx&) const {
      std::lock_guard lock(owner->mutex_);
      owner->relayed_.push_back([e](void* root, run_state& state, void* learner) {
        logs<> none;
        Root& group = *static_cast<Root*>(root);
        context<Learner, logs<>, Root> ctx(state, *static_cast<Learner*>(learner), none, group);
        cue::emit(e, group, ctx);
      });
    }
  };

  // The loop's counters, without what points into the loop (its running sums) or is its own
  // business (where it resumes), and marked as a copy.
  static run_state snapshot(const run_state& s) {
    run_state copy;
    copy.params = s.params;
    copy.epoch = s.epoch;
    copy.batch = s.batch;
    copy.step = s.step;
    copy.validated = s.validated;
    copy.error = s.error;
    copy.background = true;
    return copy;
  }

  // On the training thread: relays a hook's stop request and the events it emitted.
  template <class Ctx>
  void hand_back(Ctx& ctx) {
    std::optional<std::pair<stop_reason, std::string>> stop;
    std::vector<std::function<void(void*, run_state&, void*)>> relayed;
    {
      std::lock_guard lock(mutex_);
      std::swap(stop, stop_);
      std::swap(relayed, relayed_);
    }
    if (stop) ctx.request_stop(stop->first, std::move(stop->second));
    if constexpr (requires { typename Ctx::root_type; }) {
      for (auto& deliver_on : relayed) deliver_on(&ctx.root(), ctx.state(), &ctx.learner());
    }
  }

  detail::slot<C> inner_;
  options opts_;
  std::mutex mutex_;  // guards what the worker hands back: a stop request, relayed events
  std::optional<std::pair<stop_reason, std::string>> stop_;  // a hook's stop request, with its reason
  // Events the callback emitted on the worker, each delivered by (loop's group, state, learner);
  // the loop's types are those of the loop that queued them, which is always the current one:
  // the queue is emptied at the end of every loop.
  std::vector<std::function<void(void*, run_state&, void*)>> relayed_;
  bool in_fit_ = false;  // between train begin and train end (training thread only)
  // The hooks use the callback itself, so every end waits for the one running (it cannot be
  // cancelled: it is the user's code); what is queued runs first, as each loop's end drains it.
  static worker_options worker_options_of(const options& o) {
    return {.capacity = o.capacity, .policy = when_full::wait, .drain_timeout = std::chrono::duration<double>(1e9),
            .tasks_own_what_they_use = false};
  }
  worker worker_{worker_options_of(opts_)};  // last: it ends before the members it uses go
};

template <class A>
in_background(A&&, in_background_options = {}) -> in_background<A>;

namespace detail {
template <class C>
struct is_group<in_background<C>> : std::true_type {};
template <class C>
struct runs_elsewhere<in_background<C>> : std::true_type {};
}  // namespace detail

}  // namespace cue
