// The callback designs the benchmarks compare, all delivering the same event with the same
// context: cue's compile-time composition, and the runtime designs users would otherwise pick.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include <boost/signals2.hpp>

#include <cue/cue.hpp>

namespace bench {

using context = cue::context<int, cue::logs<"loss">>;

/// The context every design receives, with what it views.
struct event_site {
  cue::run_state state;
  int learner = 0;
  cue::logs<"loss"> logs{0.5};
  context ctx{state, learner, logs};
  event_site() = default;
  event_site(const event_site&) = delete;  // ctx points into it
};

// --- cue: plain types, composed at compile time. ----------------------------------------------
template <std::size_t I>
struct static_counter {  // handles the batch event: its body is one increment
  long n = 0;
  void on_train_batch_end(auto&) { ++n; }
};
template <std::size_t I>
struct static_epoch_only {  // handles epoch events only: the batch event is unused
  long n = 0;
  void on_epoch_end(auto&) { ++n; }
};

// --- A list behind a virtual base class: Keras's CallbackList, in C++. -------------------------
struct virtual_callback {
  virtual ~virtual_callback() = default;
  virtual void on_train_batch_end(context&) {}
  virtual void on_epoch_end(context&) {}
};
struct virtual_counter final : virtual_callback {
  long n = 0;
  void on_train_batch_end(context&) override { ++n; }
};
struct virtual_epoch_only final : virtual_callback {
  long n = 0;
  void on_epoch_end(context&) override { ++n; }
};
struct virtual_list {
  std::vector<std::unique_ptr<virtual_callback>> list;
  void on_train_batch_end(context& ctx) {
    for (auto& c : list) c->on_train_batch_end(ctx);
  }
};

// --- One std::function list per event (registration by event). --------------------------------
struct function_lists {
  std::vector<std::function<void(context&)>> train_batch_end, epoch_end;
  void on_train_batch_end(context& ctx) {
    for (auto& f : train_batch_end) f(ctx);
  }
};

// --- One Boost.Signals2 signal per event. -------------------------------------------------------
struct signals {
  boost::signals2::signal<void(context&)> train_batch_end, epoch_end;
  void on_train_batch_end(context& ctx) { train_batch_end(ctx); }
};

// --- cue::dynamic_callbacks. --------------------------------------------------------------------
struct dynamic_counter : cue::dynamic_callback {
  long n = 0;
  void on_train_batch_end(cue::dynamic_context&) override { ++n; }
};
struct dynamic_epoch_only : cue::dynamic_callback {
  long n = 0;
  void on_epoch_end(cue::dynamic_context&) override { ++n; }
};

// Builders: N callbacks of each design, the batch hook used or not.
template <std::size_t... I>
auto static_group(bool, std::index_sequence<I...>, std::true_type /*used*/) {
  return cue::callbacks<static_counter<I>...>{};
}
template <std::size_t... I>
auto static_group(bool, std::index_sequence<I...>, std::false_type /*unused*/) {
  return cue::callbacks<static_epoch_only<I>...>{};
}

inline virtual_list make_virtual(std::size_t n, bool used) {
  virtual_list v;
  for (std::size_t i = 0; i < n; ++i)
    v.list.push_back(used ? std::unique_ptr<virtual_callback>(std::make_unique<virtual_counter>())
                          : std::make_unique<virtual_epoch_only>());
  return v;
}

inline function_lists make_functions(std::size_t n, bool used, std::vector<long>& counters) {
  function_lists f;
  counters.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    long* c = &counters[i];
    (used ? f.train_batch_end : f.epoch_end).push_back([c](context&) { ++*c; });
  }
  return f;
}

inline void connect_signals(signals& s, std::size_t n, bool used, std::vector<long>& counters) {
  counters.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    long* c = &counters[i];
    (used ? s.train_batch_end : s.epoch_end).connect([c](context&) { ++*c; });
  }
}

inline cue::dynamic_callbacks make_dynamic(std::size_t n, bool used) {
  cue::dynamic_callbacks d;
  for (std::size_t i = 0; i < n; ++i) {
    if (used)
      d.emplace<dynamic_counter>();
    else
      d.emplace<dynamic_epoch_only>();
  }
  return d;
}

}  // namespace bench
