// cue::on_rank_zero(cb): in a distributed fit, `cb` acts on rank 0 only: the callbacks that write
// files or the terminal, so that one rank writes them once.
#pragma once

#include <type_traits>
#include <utility>

#include <cue/adapters/filtered.hpp>
#include <cue/distributed/communicator.hpp>
#include <cue/requirements.hpp>

namespace cue {

namespace detail {
struct rank_zero_filter {
  static constexpr bool filters_every_event = true;  // typed events too: what it hears, it acts on
  template <class Event, class Ctx>
  constexpr bool pass(Event, const Ctx& ctx) const {
    if constexpr (distributed_learner<std::remove_cvref_t<decltype(ctx.learner())>>)
      return ctx.learner().communicator().rank() == 0;
    else
      return true;
  }
};

}  // namespace detail

/// The callback type on_rank_zero makes: cb's events are delivered on rank 0 only.
template <class C>
class rank_zero_only : public filtered<detail::rank_zero_filter, C> {
 public:
  using acts_on_rank_zero = void;  // its writers write once

 private:
  static_assert(!detail::uses_collectives<std::remove_cvref_t<C>>,
                "cue: on_rank_zero would run a callback that takes part in collectives on rank 0 only, "
                "and rank 0 would wait for the others forever; let it run on every rank");
  static_assert(detail::uses_collectives<std::remove_cvref_t<C>> || !detail::changes_learner<std::remove_cvref_t<C>>,
                "cue: on_rank_zero would run a callback that changes the learner (it needs set_learning_rate, "
                "load_state, load or gradients) on rank 0 only, and the ranks would train different models; "
                "let it run on every rank: what it decides from the epoch logs is the same on all of them");

 public:
  template <class A>
  constexpr explicit rank_zero_only(A&& cb) : filtered<detail::rank_zero_filter, C>({}, std::forward<A>(cb)) {}
};

/// `cb` acts on rank 0 only in a distributed fit (cue::data_parallel), and everywhere otherwise:
/// `cue::on_rank_zero(cue::csv_logger(file))`. What it decides from the epoch logs is what every
/// rank would decide: they are the same on all ranks.
template <class C>
[[nodiscard]] constexpr auto on_rank_zero(C&& cb) {
  return rank_zero_only<C>(std::forward<C>(cb));
}

namespace detail {
template <class C>
struct is_group<rank_zero_only<C>> : std::true_type {};
}  // namespace detail

}  // namespace cue
