// The fit loop's cost per batch, for instruction counting under callgrind (see zero_cost.py).
// Usage: fit_overhead SCENARIO BATCHES. The step is an opaque call, as a real step would be.
#include <cue/cue.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <string_view>

namespace {

// Batches 0..n-1 made on the fly (std::views::iota does not compile with clang 14 + libstdc++ 12).
struct counting_range {
  int n;
  struct iterator {
    using value_type = int;
    using difference_type = std::ptrdiff_t;
    int i;
    int operator*() const { return i; }
    iterator& operator++() {
      ++i;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++i;
      return old;
    }
    bool operator==(const iterator&) const = default;
  };
  [[nodiscard]] iterator begin() const { return {0}; }
  [[nodiscard]] iterator end() const { return {n}; }
  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(n); }
};

struct learner {
  double sum = 0;
  [[gnu::noinline]] cue::logs<"loss"> train_step(int b) {
    sum += b;
    return {b * 0.5};
  }
};

template <int I>
struct epoch_counter {  // handles epoch events only
  int begun = 0, ended = 0;
  void on_epoch_begin(auto&) { ++begun; }
  void on_epoch_end(auto&) { ++ended; }
};

struct batch_begin_counter {  // a batch hook whose body is one increment
  long n = 0;
  void on_train_batch_begin(auto&) { ++n; }
};

struct batch_end_reader {  // a batch-end hook reading the running mean
  double last = 0;
  void on_train_batch_end(auto& ctx) { last = cue::get<"loss">(ctx.logs()); }
};

struct dynamic_epoch_counter : cue::dynamic_callback {
  int ended = 0;
  void on_epoch_end(cue::dynamic_context&) override { ++ended; }
};

template <std::size_t... I>
double fit_with_epoch_callbacks(learner& l, auto data, std::index_sequence<I...>) {
  cue::callbacks<epoch_counter<I>...> group;
  cue::fit(l, data, {.epochs = 2, .verbose = 0}, group);
  return group.template get<0>().ended;
}

// The same work with no library: the step, the running sum, the stop flag.
[[gnu::noinline]] double hand_written(learner& l, auto data) {
  double total = 0;
  for (int epoch = 0; epoch < 2; ++epoch) {
    double sum = 0, weight = 0;
    for (int b : data) {
      sum += cue::get<"loss">(l.train_step(b));
      weight += 1;
    }
    total += sum / weight;
  }
  return total;
}

// Each scenario in a function of its own, so that what the compiler does with one (inlining,
// registers) does not depend on the others around it.
[[gnu::noinline]] double scenario_none(learner& l, counting_range data) {
  return cue::fit(l, data, {.epochs = 2, .verbose = 0})["loss"].back();
}
[[gnu::noinline]] double scenario_epoch16(learner& l, counting_range data) {
  return fit_with_epoch_callbacks(l, data, std::make_index_sequence<16>{});
}
[[gnu::noinline]] double scenario_batch_begin(learner& l, counting_range data) {
  batch_begin_counter c;
  cue::fit(l, data, {.epochs = 2, .verbose = 0}, c);
  return static_cast<double>(c.n);
}
[[gnu::noinline]] double scenario_batch_end(learner& l, counting_range data) {
  batch_end_reader r;
  cue::fit(l, data, {.epochs = 2, .verbose = 0}, r);
  return r.last;
}
[[gnu::noinline]] double scenario_dynamic16(learner& l, counting_range data) {
  cue::dynamic_callbacks list;
  for (int i = 0; i < 16; ++i) list.emplace<dynamic_epoch_counter>();
  cue::fit(l, data, {.epochs = 2, .verbose = 0}, list);
  return static_cast<double>(list.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s none|epoch16|batch_begin|batch_end|dynamic16|hand BATCHES\n",
                 argv[0]);
    return 2;
  }
  const std::string_view scenario = argv[1];
  const int batches = std::atoi(argv[2]);
  const counting_range data{batches};
  learner l;
  double out = 0;
  if (scenario == "none") {
    out = scenario_none(l, data);
  } else if (scenario == "epoch16") {
    out = scenario_epoch16(l, data);
  } else if (scenario == "batch_begin") {
    out = scenario_batch_begin(l, data);
  } else if (scenario == "batch_end") {
    out = scenario_batch_end(l, data);
  } else if (scenario == "dynamic16") {
    out = scenario_dynamic16(l, data);
  } else if (scenario == "hand") {
    out = hand_written(l, data);
  } else {
    std::fprintf(stderr, "unknown scenario '%s'\n", argv[1]);
    return 2;
  }
  std::printf("%s %d %g %g\n", argv[1], batches, out, l.sum);
}
