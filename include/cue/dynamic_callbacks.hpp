// cue::dynamic_callbacks: callbacks chosen at run time (plugins, configuration), behind a virtual
// interface. The honest runtime alternative to cue::callbacks; the benchmarks measure both.
#pragma once

#include <concepts>
#include <cstddef>
#include <exception>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cue/callbacks.hpp>
#include <cue/context.hpp>

namespace cue {

/// Logs seen through names known only at run time.
class dynamic_logs {
 public:
  dynamic_logs(std::span<const std::string_view> names, std::span<double> values) noexcept
      : names_(names), values_(values) {}

  [[nodiscard]] std::span<const std::string_view> names() const noexcept { return names_; }
  [[nodiscard]] std::span<double> values() const noexcept { return values_; }
  [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }
  /// The value named `name`, or nullptr.
  [[nodiscard]] double* find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) return &values_[i];
    return nullptr;
  }
  /// The value named `name`; throws std::out_of_range listing the names there are.
  [[nodiscard]] double& at(std::string_view name) const {
    if (double* v = find(name)) return *v;
    std::string known;
    for (auto n : names_) known += (known.empty() ? "" : ", ") + std::string(n);
    throw std::out_of_range("cue: these logs have no value named '" + std::string(name) +
                            "'; they have: " + (known.empty() ? "(none)" : known));
  }

 private:
  std::span<const std::string_view> names_;
  std::span<double> values_;
};

/// The context a dynamic callback receives: the same information as `cue::context`, type-erased.
class dynamic_context {
 public:
  dynamic_context(run_state& state, dynamic_logs logs) noexcept : state_(&state), logs_(logs) {}

  [[nodiscard]] int epoch() const noexcept { return state_->epoch; }
  [[nodiscard]] std::size_t batch() const noexcept { return state_->batch; }
  [[nodiscard]] std::size_t step() const noexcept { return state_->step; }
  [[nodiscard]] const dynamic_logs& logs() const noexcept { return logs_; }
  [[nodiscard]] const loop_params& params() const noexcept { return state_->params; }
  void request_stop() const { state_->request_stop(stop_reason::requested, {}); }
  void request_stop(stop_reason reason, std::string message) const {
    state_->request_stop(reason, std::move(message));
  }
  [[nodiscard]] bool stop_requested() const noexcept { return state_->stop; }
  [[nodiscard]] std::exception_ptr exception() const noexcept { return state_->error; }
  [[nodiscard]] bool validated() const noexcept { return state_->validated; }

 private:
  run_state* state_;
  dynamic_logs logs_;
};

/// The base of a run-time callback: override the hooks you need; the others do nothing.
class dynamic_callback {
 public:
  virtual ~dynamic_callback() = default;
#define CUE_DYNAMIC_HOOK(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) \
  virtual void on_##NAME(dynamic_context&) {}
  CUE_HOOK_TABLE(CUE_DYNAMIC_HOOK)
#undef CUE_DYNAMIC_HOOK
};

/// A list of dynamic callbacks, itself a (static) callback: it forwards every event to each
/// element, in order, through one virtual call per element.
namespace detail {
template <class Event>
inline constexpr void (dynamic_callback::*virtual_hook)(dynamic_context&) = nullptr;
#define CUE_VIRTUAL_HOOK(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) \
  template <>                                                    \
  inline constexpr auto virtual_hook<event::NAME> = &dynamic_callback::on_##NAME;
CUE_HOOK_TABLE(CUE_VIRTUAL_HOOK)
#undef CUE_VIRTUAL_HOOK
}  // namespace detail

class dynamic_callbacks : public detail::forward_events<dynamic_callbacks> {
 public:
  /// Adds a callback and returns it.
  dynamic_callback& add(std::unique_ptr<dynamic_callback> cb) {
    if (!cb) throw std::invalid_argument("cue: dynamic_callbacks::add was given a null callback");
    return *list_.emplace_back(std::move(cb));
  }
  /// Constructs a `C` in place and returns it.
  template <std::derived_from<dynamic_callback> C, class... Args>
  C& emplace(Args&&... args) {
    auto owned = std::make_unique<C>(std::forward<Args>(args)...);
    C& ref = *owned;
    list_.push_back(std::move(owned));
    return ref;
  }
  [[nodiscard]] std::size_t size() const noexcept { return list_.size(); }

  /// Every hook's event reaches each element; on_after_backward only with learners that have
  /// the split step, since run-time callbacks cannot make the choice of step a compile error.
  template <class Event, class Ctx>
  static constexpr bool takes =
      hook_event<Event> && (!std::is_same_v<Event, event::after_backward> ||
                            requires(typename Ctx::learner_type& l) { l.apply_gradients(); });

 private:
  template <class Ctx>
  static dynamic_context erase(Ctx& ctx) noexcept {
    auto& logs = ctx.logs();
    return dynamic_context(ctx.state(), dynamic_logs(std::span<const std::string_view>(logs.names),
                                                     std::span<double>(logs.values)));
  }
  friend detail::forward_events<dynamic_callbacks>;

  // One virtual call per element. As with cue::callbacks, an exception thrown by one on_exception
  // is dropped so every callback hears the original.
  template <class Event, class Ctx>
  void deliver(Event, Ctx& ctx) {
    dynamic_context dyn = erase(ctx);
    for (auto& cb : list_) {
      if constexpr (std::is_same_v<Event, event::exception>) {
        try {
          ((*cb).*detail::virtual_hook<Event>)(dyn);
        } catch (...) {  // NOLINT(bugprone-empty-catch): the original exception is what matters
        }
      } else {
        ((*cb).*detail::virtual_hook<Event>)(dyn);
      }
    }
  }

  std::vector<std::unique_ptr<dynamic_callback>> list_;
};

namespace detail {
template <>
struct is_group<dynamic_callbacks> : std::true_type {};
}  // namespace detail

}  // namespace cue
