// The cost of delivering one event (on_train_batch_end) to N callbacks, N = 1, 4, 16, 64, with the
// hook used (each callback's body is one increment) or unused (the callbacks handle epoch events
// only), for each design of designs.hpp. Google Benchmark; `make bench` runs it.
#include <benchmark/benchmark.h>

#include <utility>

#include "designs.hpp"

namespace {

template <std::size_t N, bool Used>
void cue_static(benchmark::State& state) {
  auto group = bench::static_group(Used, std::make_index_sequence<N>{}, std::bool_constant<Used>{});
  bench::event_site site;
  auto& ctx = site.ctx;
  for (auto _ : state) {
    cue::emit(cue::event::train_batch_end{}, group, ctx);
    benchmark::DoNotOptimize(group);
  }
}

template <bool Used>
void virtual_dispatch(benchmark::State& state) {
  auto list = bench::make_virtual(static_cast<std::size_t>(state.range(0)), Used);
  bench::event_site site;
  auto& ctx = site.ctx;
  for (auto _ : state) {
    list.on_train_batch_end(ctx);
    benchmark::ClobberMemory();
  }
}

template <bool Used>
void function_list(benchmark::State& state) {
  std::vector<long> counters;
  auto f = bench::make_functions(static_cast<std::size_t>(state.range(0)), Used, counters);
  bench::event_site site;
  auto& ctx = site.ctx;
  for (auto _ : state) {
    f.on_train_batch_end(ctx);
    benchmark::ClobberMemory();
  }
}

template <bool Used>
void signals2(benchmark::State& state) {
  std::vector<long> counters;
  bench::signals s;
  bench::connect_signals(s, static_cast<std::size_t>(state.range(0)), Used, counters);
  bench::event_site site;
  auto& ctx = site.ctx;
  for (auto _ : state) {
    s.on_train_batch_end(ctx);
    benchmark::ClobberMemory();
  }
}

template <bool Used>
void dynamic(benchmark::State& state) {
  auto d = bench::make_dynamic(static_cast<std::size_t>(state.range(0)), Used);
  bench::event_site site;
  auto& ctx = site.ctx;
  for (auto _ : state) {
    cue::emit(cue::event::train_batch_end{}, d, ctx);
    benchmark::ClobberMemory();
  }
}

}  // namespace

// Names: design/used|unused/N.
BENCHMARK(cue_static<1, true>)->Name("cue/used/1");
BENCHMARK(cue_static<4, true>)->Name("cue/used/4");
BENCHMARK(cue_static<16, true>)->Name("cue/used/16");
BENCHMARK(cue_static<64, true>)->Name("cue/used/64");
BENCHMARK(cue_static<1, false>)->Name("cue/unused/1");
BENCHMARK(cue_static<4, false>)->Name("cue/unused/4");
BENCHMARK(cue_static<16, false>)->Name("cue/unused/16");
BENCHMARK(cue_static<64, false>)->Name("cue/unused/64");
BENCHMARK(virtual_dispatch<true>)->Name("virtual/used")->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(virtual_dispatch<false>)->Name("virtual/unused")->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(function_list<true>)->Name("std::function/used")->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(function_list<false>)->Name("std::function/unused")->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(signals2<true>)->Name("signals2/used")->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(signals2<false>)->Name("signals2/unused")->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(dynamic<true>)->Name("dynamic_callbacks/used")->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(dynamic<false>)->Name("dynamic_callbacks/unused")->Arg(1)->Arg(4)->Arg(16)->Arg(64);

BENCHMARK_MAIN();
