// cue::guarded: an exception policy for one callback: let its exceptions end the run (Keras's
// behaviour), or report them and go on training without it.
#pragma once

#include <exception>
#include <iostream>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cue/callbacks.hpp>
#include <cue/events.hpp>

namespace cue {

/// What `guarded` does when its callback throws.
enum class on_error {
  propagate,  ///< the exception ends fit, as any other (on_exception runs, then it is rethrown)
  disable,    ///< report it, disable the callback for the rest of the run, keep training
};

/// Options of `cue::guarded`.
struct guarded_options {
  cue::on_error policy = on_error::disable;
  std::ostream* log = &std::cerr;  ///< where a disabled callback is reported
  std::string name = "callback";   ///< how the report names it
};

/// Wraps callback `C` with an exception policy: `cue::guarded(uploader, {.name = "uploader"})`.
/// With `disable`, an exception thrown by one of its hooks is reported as
/// "cue: uploader threw in on_epoch_end: <what>; disabled for the rest of this run" and training
/// goes on without it (a flaky upload should not kill a week-long run); the next train begin
/// enables it again. It hears exactly the events `C` handles.
template <class C>
class guarded : public detail::forward_events<guarded<C>> {
 public:
  using inner_type = std::remove_cvref_t<C>;
  using options = guarded_options;

  template <class A>
  guarded(A&& inner, options opts = {}) : inner_(std::forward<A>(inner)), opts_(std::move(opts)) {}

  template <class Event, class Ctx>
  static constexpr bool takes = takes_event<Event, C, Ctx> || std::is_same_v<Event, event::train_begin>;

  [[nodiscard]] auto& inner() noexcept { return inner_.get(); }
  /// Whether the callback was disabled by an exception in this run.
  [[nodiscard]] bool disabled() const noexcept { return disabled_; }

 private:
  friend detail::forward_events<guarded>;

  template <class Event, class Ctx>
  void deliver(const Event& event, Ctx& ctx) {
    if constexpr (std::is_same_v<Event, event::train_begin>) disabled_ = false;
    if (disabled_) return;
    if (opts_.policy == on_error::propagate) {
      cue::emit(event, inner_.get(), ctx);
      return;
    }
    try {
      cue::emit(event, inner_.get(), ctx);
    } catch (const std::exception& e) {
      disable(where<Event>(), e.what());
    } catch (...) {
      disable(where<Event>(), "an exception not derived from std::exception");
    }
  }
  template <class Event>
  static constexpr std::string_view where() {
    if constexpr (hook_event<Event>)
      return Event::hook;
    else
      return "on(event)";
  }

  void disable(std::string_view hook, std::string_view what) {
    disabled_ = true;
    if (opts_.log)
      *opts_.log << "cue: " << opts_.name << " threw in " << hook << ": " << what
                 << "; disabled for the rest of this run\n";
  }

  detail::slot<C> inner_;
  options opts_;
  bool disabled_ = false;
};

template <class A>
guarded(A&&, guarded_options = {}) -> guarded<A>;

namespace detail {
template <class C>
struct is_group<guarded<C>> : std::true_type {};
}  // namespace detail

}  // namespace cue
