#include <cue/callbacks.hpp>

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/context.hpp>

#include "support.hpp"

namespace {
struct counter {
  int epochs = 0;
  void on_epoch_end(auto&) { ++epochs; }
};
struct move_only {
  std::unique_ptr<int> count = std::make_unique<int>(0);
  void on_epoch_end(auto&) { ++*count; }
};
using ctx_t = cue::context<cue_test::learner, cue::logs<"loss">>;
}  // namespace

namespace {
struct thrower {
  void on_exception(auto&) { throw std::logic_error("in on_exception"); }
};
}  // namespace

TEST_CASE("lvalues are held by reference, temporaries by value") {
  counter kept;
  cue::callbacks group{kept, counter{}};
  STATIC_REQUIRE(std::is_same_v<decltype(group), cue::callbacks<counter&, counter>>);

  cue::run_state state;
  cue_test::learner learner;
  cue::logs<"loss"> logs;
  ctx_t ctx(state, learner, logs);
  group.on_epoch_end(ctx);
  group.on_epoch_end(ctx);
  CHECK(kept.epochs == 2);               // the caller's object heard both events
  CHECK(group.get<1>().epochs == 2);     // the owned copy too
  CHECK(&group.get<0>() == &kept);
}

TEST_CASE("move-only callbacks are moved in") {
  cue::callbacks group{move_only{}};
  cue::run_state state;
  cue_test::learner learner;
  cue::logs<"loss"> logs;
  ctx_t ctx(state, learner, logs);
  group.on_epoch_end(ctx);
  CHECK(*group.get<0>().count == 1);
}

TEST_CASE("a group copies like its members") {
  cue::callbacks<counter> a;
  a.get<0>().epochs = 3;
  cue::callbacks<counter> b(a);  // the copy constructor, not the element constructor
  CHECK(b.get<0>().epochs == 3);
  counter kept;
  cue::callbacks<counter&> refs{kept};
  auto refs_copy = refs;  // still refers to the caller's object
  CHECK(&refs_copy.get<0>() == &kept);
}

TEST_CASE("template parameters compose default-constructed callbacks") {
  cue::callbacks<counter, counter> group;
  cue::run_state state;
  cue_test::learner learner;
  cue::logs<"loss"> logs;
  ctx_t ctx(state, learner, logs);
  group.on_epoch_end(ctx);
  CHECK(group.get<0>().epochs == 1);
  CHECK(group.get<1>().epochs == 1);
}

TEST_CASE("every member hears the event in the order given; groups nest") {
  std::vector<std::string> seen;
  cue::callbacks inner{cue_test::recorder{&seen, "b."}, cue_test::recorder{&seen, "c."}};
  cue::callbacks outer{cue_test::recorder{&seen, "a."}, inner, cue_test::recorder{&seen, "d."}};
  cue::run_state state;
  cue_test::learner learner;
  cue::logs<> logs;
  cue::context ctx(state, learner, logs);
  cue::emit(cue::event::train_begin{}, outer, ctx);
  CHECK(seen == std::vector<std::string>{"a.train_begin", "b.train_begin", "c.train_begin",
                                         "d.train_begin"});
}

TEST_CASE("emit does nothing for an event no member handles") {
  counter c;
  cue::callbacks group{c};
  cue::run_state state;
  cue_test::learner learner;
  cue::logs<> logs;
  cue::context ctx(state, learner, logs);
  cue::emit(cue::event::train_batch_end{}, group, ctx);  // compiles, and is a no-op
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<decltype(group), decltype(ctx)>);
  CHECK(c.epochs == 0);
}

TEST_CASE("on_exception reaches every member even when one of them throws") {
  std::vector<std::string> seen;
  cue::callbacks group{thrower{}, cue_test::recorder{&seen, ""}};
  cue::run_state state;
  cue_test::learner learner;
  cue::logs<> logs;
  cue::context ctx(state, learner, logs);
  group.on_exception(ctx);
  CHECK(seen == std::vector<std::string>{"exception"});
}
