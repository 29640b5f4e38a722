// What a callback declares about itself, one trait per declaration, each read by some_part so that
// a group or an adapter has what its parts declare (docs/callbacks.md, "What a callback can
// declare"). What it needs, monitors and formats (`needs`, `monitored`, `formatted`) and the typed
// events it sends and hears (`emits`, `listens`) are checked against the loop in
// requirements.hpp.
#pragma once

#include <type_traits>

#include <cue/parts.hpp>

namespace cue::detail {

/// `using writes_output = void;`: it writes files or the terminal, so in a distributed fit it must
/// act on rank 0 only.
template <class C>
struct declares_writes_output : std::bool_constant<requires { typename C::writes_output; }> {};

/// `using acts_on_rank_zero = void;`: what it holds acts on rank 0 only (cue::on_rank_zero).
template <class C>
struct declares_acts_on_rank_zero : std::bool_constant<requires { typename C::acts_on_rank_zero; }> {};

/// `using uses_collectives = void;`: it takes part in collectives, so it runs on every rank.
template <class C>
struct declares_uses_collectives : std::bool_constant<requires { typename C::uses_collectives; }> {};

/// `using reads_running_sums = void;`: it reads run_state::running (backup_and_restore).
template <class C>
struct declares_reads_running_sums : std::bool_constant<requires { typename C::reads_running_sums; }> {};

/// `using shows_progress = void;`: it draws progress (progbar_logger).
template <class C>
struct declares_shows_progress : std::bool_constant<requires { typename C::shows_progress; }> {};

// A part that writes and is not kept to rank 0 by what holds it.
template <class C>
struct writes_unfiltered : std::bool_constant<declares_writes_output<C>::value && !declares_acts_on_rank_zero<C>::value> {};

/// Some part writes files or the terminal on every rank of a distributed fit: not below
/// cue::on_rank_zero.
template <class C>
inline constexpr bool writes_on_every_rank = some_part<writes_unfiltered, C, declares_acts_on_rank_zero>;

/// Some part takes part in collectives: on rank 0 only, it would wait for the others forever.
template <class C>
inline constexpr bool uses_collectives = some_part<declares_uses_collectives, C>;

/// Some part reads the running sums; fit shows them only then: once their address escapes, they
/// live in memory, which costs every batch.
template <class C>
inline constexpr bool reads_running_sums = some_part<declares_reads_running_sums, C>;

/// Some part shows progress itself, so fit adds no display of its own for `verbose`.
template <class C>
inline constexpr bool shows_progress = some_part<declares_shows_progress, C>;

}  // namespace cue::detail
