// Typed events between callbacks: declared, delivered synchronously in the callbacks' order to every
// listener of the fit (nested groups and adapters included), checked at compile time.
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/adapters/every_n_epochs.hpp>
#include <cue/adapters/guarded.hpp>
#include <cue/adapters/in_background.hpp>
#include <cue/fit.hpp>
#include <cue/run_events.hpp>

#include "support.hpp"

namespace {
struct weather {
  std::string sky;
};
struct tide {
  int height;
};

// Sends `weather` at every epoch end.
struct forecaster {
  using emits = cue::emits<weather>;
  void on_epoch_end(auto& ctx) { ctx.emit(weather{"epoch " + std::to_string(ctx.epoch())}); }
};

// Records what it hears, prefixed by its name, in a journal shared by the test.
struct listener {
  using listens = cue::listens<weather>;
  std::string name;
  std::vector<std::string>* journal;
  void on(const weather& w, auto&) { journal->push_back(name + ": " + w.sky); }
  void on_epoch_end(auto&) { journal->push_back(name + ": epoch end"); }
};

// Listens and answers with another event (its context can emit too).
struct relay_to_tide {
  using listens = cue::listens<weather>;
  using emits = cue::emits<tide>;
  void on(const weather& w, auto& ctx) { ctx.emit(tide{static_cast<int>(w.sky.size())}); }
};
struct tide_gauge {
  using listens = cue::listens<tide>;
  std::vector<int> heights;
  void on(const tide& t, auto&) { heights.push_back(t.height); }
};

// Listens to an event nobody sends, declared optional.
struct patient {
  using listens = cue::listens<cue::optional<tide>>;
  int heard = 0;
  void on(const tide&, auto&) { ++heard; }
  void on_train_end(auto&) {}
};
struct impatient {
  using listens = cue::listens<tide>;
  void on(const tide&, auto&) {}
};

}  // namespace

TEST_CASE("an event reaches every listener of the fit, in the callbacks' order, before emit returns") {
  std::vector<std::string> journal;
  listener before{"before", &journal};
  listener after{"after", &journal};
  listener nested{"nested", &journal};
  listener wrapped{"wrapped", &journal};
  cue_test::learner l;
  std::vector<cue_test::batch> data{{1}};
  cue::fit(l, data, {.epochs = 1, .verbose = 0}, before, forecaster{},
           cue::callbacks{after, cue::guarded(nested)}, cue::every_n_epochs<5>(wrapped));
  // every_n_epochs filters hooks, not typed events: `wrapped` hears the weather of epoch 0.
  CHECK(journal == std::vector<std::string>{"before: epoch end", "before: epoch 0", "after: epoch 0",
                                            "nested: epoch 0", "wrapped: epoch 0", "after: epoch end",
                                            "nested: epoch end"});
}

TEST_CASE("a listener can answer with an event of its own") {
  tide_gauge gauge;
  cue_test::learner l;
  std::vector<cue_test::batch> data{{1}, {2}};
  cue::fit(l, data, {.epochs = 2, .verbose = 0}, forecaster{}, relay_to_tide{}, gauge);
  CHECK(gauge.heights == std::vector<int>{7, 7});  // "epoch 0", "epoch 1"
}

TEST_CASE("an event no callback listens to compiles to nothing") {
  using group = cue::callbacks<forecaster, tide_gauge>;
  STATIC_REQUIRE_FALSE(cue::takes_event<weather, group, cue::context<cue_test::learner, cue::logs<>, group>>);
  STATIC_REQUIRE(cue::takes_event<tide, group, cue::context<cue_test::learner, cue::logs<>, group>>);
  STATIC_REQUIRE(cue::callback<tide_gauge>);  // listening alone makes a callback
}

TEST_CASE("a listened event that no callback emits is an error, unless it is optional") {
  STATIC_REQUIRE(cue::detail::listened_events<cue::callbacks<forecaster, relay_to_tide, tide_gauge>>::met);
  STATIC_REQUIRE_FALSE(cue::detail::listened_events<cue::callbacks<forecaster, tide_gauge>>::met);
  STATIC_REQUIRE_FALSE(cue::detail::listened_events<cue::callbacks<cue::callbacks<impatient&>>>::met);
  STATIC_REQUIRE(cue::detail::listened_events<cue::callbacks<patient>>::met);
  // an emitter inside an adapter counts
  STATIC_REQUIRE(cue::detail::listened_events<
                 cue::callbacks<cue::guarded<relay_to_tide>, tide_gauge, forecaster>>::met);
  patient p;
  cue_test::learner l;
  std::vector<cue_test::batch> data{{1}};
  cue::fit(l, data, {.epochs = 1, .verbose = 0}, p);
  CHECK(p.heard == 0);
}

TEST_CASE("a user's own loop emits and receives typed events the same way") {
  tide_gauge gauge;
  cue::callbacks group{relay_to_tide{}, gauge};
  cue::run_state state;
  cue_test::learner l;
  cue::logs<> none;
  cue::context<cue_test::learner, cue::logs<>, decltype(group)> ctx(state, l, none, group);
  cue::emit(weather{"sunny"}, group, ctx);
  ctx.emit(weather{"rain"});  // at group level nothing is checked: the loop may send anything
  CHECK(gauge.heights == std::vector<int>{5, 4});
}

namespace {
// On in_background's worker: emits at each epoch end, and records the thread it ran on.
struct background_sender {
  using emits = cue::emits<tide>;
  std::thread::id* worker;
  void on_epoch_end(auto& ctx) {
    *worker = std::this_thread::get_id();
    ctx.emit(tide{ctx.epoch()});
  }
};
struct thread_recorder {
  using listens = cue::listens<tide>;
  std::vector<std::thread::id> threads;
  std::vector<int> heights;
  void on(const tide& t, auto&) {
    threads.push_back(std::this_thread::get_id());
    heights.push_back(t.height);
  }
};
}  // namespace

TEST_CASE("an event emitted on in_background's worker is delivered on the training thread") {
  std::thread::id worker;
  thread_recorder recorder;
  cue_test::learner l;
  std::vector<cue_test::batch> data{{1}, {2}};
  cue::fit(l, data, {.epochs = 3, .verbose = 0}, cue::in_background(background_sender{&worker}), recorder);
  CHECK(recorder.heights == std::vector<int>{0, 1, 2});  // all of them, by train end at the latest
  REQUIRE(recorder.threads.size() == 3);
  for (auto id : recorder.threads) CHECK(id == std::this_thread::get_id());
  CHECK(worker != std::this_thread::get_id());
}

namespace {
struct background_listener {
  using listens = cue::listens<weather>;
  std::vector<std::string> heard;
  bool on_worker = false;
  std::thread::id training = std::this_thread::get_id();
  void on(const weather& w, auto&) {
    heard.push_back(w.sky);
    on_worker = std::this_thread::get_id() != training;
  }
};
}  // namespace

TEST_CASE("an in_background listener hears typed events on its worker, in order with its hooks") {
  background_listener bl;
  cue_test::learner l;
  std::vector<cue_test::batch> data{{1}};
  cue::fit(l, data, {.epochs = 2, .verbose = 0}, forecaster{}, cue::in_background(bl));
  CHECK(bl.heard == std::vector<std::string>{"epoch 0", "epoch 1"});
  CHECK(bl.on_worker);
}
