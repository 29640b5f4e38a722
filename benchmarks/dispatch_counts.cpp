// Delivers on_train_batch_end EVENTS times to N callbacks of one design, for callgrind's
// instruction counts (dispatch.py takes the slope between two EVENTS, so set-up cancels out).
// Usage: dispatch_counts none|cue|virtual|function|signals2|dynamic N used|unused EVENTS
#include <boost/hana/range.hpp>
#include <boost/hana/size.hpp>

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "designs.hpp"

namespace {

template <class Deliver>
long run(long events, Deliver&& deliver) {
  bench::event_site site;
  for (long i = 0; i < events; ++i) {
    deliver(site.ctx);
    asm volatile("" : : : "memory");  // each event's effects reach memory, as in the timed benchmark
  }
  return events;
}

template <std::size_t N>
long run_static(bool used, long events) {
  auto go = [&](auto group) {
    const long r = run(events, [&](bench::context& ctx) { cue::emit(cue::event::train_batch_end{}, group, ctx); });
    long total = 0;
    boost::hana::for_each(boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<N>),
                          [&](auto i) { total += group.template get<decltype(i)::value>().n; });
    std::printf("counted %ld\n", total);
    return r;
  };
  return used ? go(bench::static_group(true, std::make_index_sequence<N>{}, std::true_type{}))
              : go(bench::static_group(false, std::make_index_sequence<N>{}, std::false_type{}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s none|cue|virtual|function|signals2|dynamic N used|unused EVENTS\n", argv[0]);
    return 2;
  }
  const std::string_view design = argv[1];
  const auto n = static_cast<std::size_t>(std::atol(argv[2]));
  const bool used = std::string_view(argv[3]) == "used";
  const long events = std::atol(argv[4]);
  std::vector<long> counters;
  if (design == "none") {  // the loop alone: the baseline the tables subtract
    run(events, [](bench::context&) {});
  } else if (design == "cue") {
    switch (n) {
      case 1: return run_static<1>(used, events) ? 0 : 1;
      case 4: return run_static<4>(used, events) ? 0 : 1;
      case 16: return run_static<16>(used, events) ? 0 : 1;
      case 64: return run_static<64>(used, events) ? 0 : 1;
      default: std::fprintf(stderr, "cue: N must be 1, 4, 16 or 64\n"); return 2;
    }
  } else if (design == "virtual") {
    auto list = bench::make_virtual(n, used);
    run(events, [&](bench::context& ctx) { list.on_train_batch_end(ctx); });
  } else if (design == "function") {
    auto f = bench::make_functions(n, used, counters);
    run(events, [&](bench::context& ctx) { f.on_train_batch_end(ctx); });
  } else if (design == "signals2") {
    bench::signals s;
    bench::connect_signals(s, n, used, counters);
    run(events, [&](bench::context& ctx) { s.on_train_batch_end(ctx); });
  } else if (design == "dynamic") {
    auto d = bench::make_dynamic(n, used);
    run(events, [&](bench::context& ctx) { cue::emit(cue::event::train_batch_end{}, d, ctx); });
  } else {
    std::fprintf(stderr, "unknown design %s\n", argv[1]);
    return 2;
  }
  long total = 0;
  for (long c : counters) total += c;
  std::printf("counted %ld\n", total);
  return 0;
}
