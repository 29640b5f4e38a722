// Concept tables: which types count as callbacks and which hooks they handle.
#include <cue/callbacks.hpp>
#include <cue/context.hpp>
#include <cue/events.hpp>

#include <catch2/catch.hpp>

#include <cue/adapters/every_n_epochs.hpp>

namespace {
using ctx = cue::context<int, cue::logs<"loss">>;

struct epoch_only {
  void on_epoch_end(auto&) {}
};
struct typed_hook {
  void on_train_begin(ctx&) {}
};
struct keras_style {  // a near miss: Keras's (epoch, logs) parameters
  void on_epoch_end(int, cue::logs<"loss">&) {}
};
struct misspelled {
  void on_epoch_ends(auto&) {}
};
struct data_member_hook {
  void (*on_test_end)(ctx&) = nullptr;
};
struct final_hook final {
  void on_predict_end(ctx&) {}
};
struct nothing {};
}  // namespace

TEST_CASE("a callback is a type that declares at least one hook") {
  STATIC_REQUIRE(cue::callback<epoch_only>);
  STATIC_REQUIRE(cue::callback<typed_hook>);
  STATIC_REQUIRE(cue::callback<keras_style>);  // declared, so it is reported, not ignored
  STATIC_REQUIRE(cue::callback<data_member_hook>);
  STATIC_REQUIRE(cue::callback<final_hook>);
  STATIC_REQUIRE(cue::callback<epoch_only&>);
  STATIC_REQUIRE(!cue::callback<misspelled>);
  STATIC_REQUIRE(!cue::callback<nothing>);
  STATIC_REQUIRE(!cue::callback<int>);
}

TEST_CASE("one concept per hook: handled means callable with the context") {
  STATIC_REQUIRE(cue::handles_on_epoch_end<epoch_only, ctx>);
  STATIC_REQUIRE(!cue::handles_on_epoch_begin<epoch_only, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<epoch_only, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_begin<typed_hook, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_begin<typed_hook, cue::context<int, cue::logs<>>>);
  STATIC_REQUIRE(!cue::handles_on_epoch_end<keras_style, ctx>);
  STATIC_REQUIRE(cue::handles_on_test_end<data_member_hook, ctx>);
}

TEST_CASE("declared tells a near miss from an absent hook") {
  STATIC_REQUIRE(cue::event::epoch_end::declared<keras_style>);
  STATIC_REQUIRE(!cue::event::epoch_end::handled<keras_style, ctx>);
  STATIC_REQUIRE(!cue::event::epoch_begin::declared<keras_style>);
  STATIC_REQUIRE(cue::event::predict_end::declared<final_hook>);
  STATIC_REQUIRE(cue::event::epoch_end::hook == "on_epoch_end");
}

// Outside the unnamed namespace: clang would warn that its static member is never emitted.
namespace events_test {
struct hook_named_data {
  int on_epoch_end = 0;
  static inline int on_train_end = 0;
};
}  // namespace events_test
using events_test::hook_named_data;

namespace {
struct final_template_hook final {
  void on_epoch_end(auto&) {}
};
struct keras_monitor {  // valid hooks beside a misspelled one
  void on_train_begin(auto&) {}
  void on_epoch_ends(auto&) {}
};
struct lightning_user {
  void on_train_start() {}
};
struct camel_case final {
  void OnEpochEnd(int) {}
};
struct meant_as_is {
  using not_hooks = cue::names<"epoch_end">;
  void on_epoch_begin(auto&) {}
  int epoch_end() const { return 0; }
};
}  // namespace

TEST_CASE("a final class with a template hook is a callback; a data member named like a hook is not") {
  STATIC_REQUIRE(cue::callback<final_template_hook>);
  STATIC_REQUIRE(!cue::callback<hook_named_data>);
}

TEST_CASE("near misses are found beside valid hooks, in final classes, unless declared meant") {
  STATIC_REQUIRE(cue::detail::first_near_miss<keras_monitor> == "on_epoch_ends");
  STATIC_REQUIRE(cue::detail::first_near_miss<lightning_user> == "on_train_start");
  STATIC_REQUIRE(cue::detail::first_near_miss<camel_case> == "OnEpochEnd");
  STATIC_REQUIRE(cue::detail::first_near_miss<meant_as_is>.empty());
  STATIC_REQUIRE(cue::detail::first_near_miss<epoch_only>.empty());
  using adapted = cue::filtered<cue::detail::every_n_epochs_filter<2>, keras_monitor>;
  STATIC_REQUIRE(!cue::detail::well_formed_callback<adapted>);
  STATIC_REQUIRE(std::is_same_v<cue::detail::first_part<cue::detail::ill_formed, adapted>, keras_monitor>);
}

TEST_CASE("a group handles exactly the events some member handles") {
  using group = cue::callbacks<epoch_only, typed_hook>;
  STATIC_REQUIRE(cue::callback<group>);
  STATIC_REQUIRE(cue::handles_on_epoch_end<group, ctx>);
  STATIC_REQUIRE(cue::handles_on_train_begin<group, ctx>);
  STATIC_REQUIRE(!cue::handles_on_train_batch_end<group, ctx>);
  STATIC_REQUIRE(!cue::handles_on_after_backward<group, ctx>);
  using nested = cue::callbacks<group, cue::callbacks<>>;
  STATIC_REQUIRE(cue::handles_on_epoch_end<nested, ctx>);
  STATIC_REQUIRE(!cue::handles_on_test_begin<nested, ctx>);
}

// The hook table drives every list of hooks: each has the table's size and names, in its order.
#include <cue/callbacks/lambda_callback.hpp>
#include <cue/dynamic_callbacks.hpp>
#include <cue/near_misses.hpp>

#include <string_view>

namespace {
#define COUNT_ROW(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) +1
constexpr std::size_t table_rows = 0 CUE_HOOK_TABLE(COUNT_ROW);
#undef COUNT_ROW

template <class... Events>
constexpr bool tags_match_names(cue::event_list<Events...>*) {
  std::size_t i = 0;
  return ((Events::hook == cue::hook_names[i++]) && ...);
}

// The lambda factories, the forwarding members of a group and dynamic_callback's virtuals: one per row.
struct noop {
  void operator()(auto&) const {}
};
using user_ctx = cue::context<int, cue::logs<"loss">>;
#define LAMBDA_HANDLES(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) \
  &&cue::event::NAME::handled<decltype(cue::on_##NAME(noop{})), user_ctx>
constexpr bool every_lambda_factory = true CUE_HOOK_TABLE(LAMBDA_HANDLES);
#undef LAMBDA_HANDLES
#define GROUP_FORWARDS(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) \
  &&cue::event::NAME::handled<cue::callbacks<decltype(cue::on_##NAME(noop{}))>, user_ctx>
constexpr bool every_forwarding_member = true CUE_HOOK_TABLE(GROUP_FORWARDS);
#undef GROUP_FORWARDS

template <class... Events>
constexpr bool every_virtual(cue::event_list<Events...>*) {
  return ((cue::detail::virtual_hook<Events> != nullptr) && ...);
}

// Every near-miss name means a hook of the table, and none is a hook.
constexpr bool near_misses_mean_hooks() {
  bool ok = true;
  auto is_hook = [](std::string_view n) {
    for (auto h : cue::hook_names)
      if (h == n) return true;
    return false;
  };
#define NEAR_MISS_MEANS_HOOK(MEMBER, HOOK) ok = ok && is_hook(#HOOK) && !is_hook(#MEMBER);
  CUE_NEAR_MISS_TABLE(NEAR_MISS_MEANS_HOOK)
#undef NEAR_MISS_MEANS_HOOK
  return ok;
}
}  // namespace

// The one walk: a group's parts and an adapter's callback, in order, stopping where asked.
namespace {
template <class C>
struct is_epoch_only : std::bool_constant<std::is_same_v<C, epoch_only>> {};
template <class C>
struct is_group_of_two : std::bool_constant<std::is_same_v<C, cue::callbacks<typed_hook, epoch_only>>> {};
}  // namespace

TEST_CASE("some_part and first_part walk groups and adapters, in order") {
  using inner = cue::callbacks<typed_hook, epoch_only>;
  using adapted = cue::filtered<cue::detail::every_n_epochs_filter<2>, inner>;
  using outer = cue::callbacks<typed_hook&, adapted>;
  STATIC_REQUIRE(std::is_same_v<cue::detail::parts_of<outer>::type, cue::parts<typed_hook, adapted>>);
  STATIC_REQUIRE(std::is_same_v<cue::detail::parts_of<adapted>::type, cue::parts<inner>>);
  STATIC_REQUIRE(cue::detail::some_part<is_epoch_only, outer>);
  STATIC_REQUIRE(!cue::detail::some_part<is_epoch_only, outer, is_group_of_two>);
  STATIC_REQUIRE(std::is_same_v<cue::detail::first_part<is_epoch_only, outer>, epoch_only>);
  STATIC_REQUIRE(std::is_void_v<cue::detail::first_part<is_epoch_only, outer, is_group_of_two>>);
  STATIC_REQUIRE(std::is_void_v<cue::detail::first_part<is_epoch_only, typed_hook>>);
}

// A begin or an end is named `<stem>_<edge>`, which the near misses rely on; and the generated
// near-miss names are those of this table (scripts/near_misses.py; also the ctest
// near_miss_names.current).
constexpr bool named_by_stem(std::string_view name, std::string_view stem, std::string_view edge_word, cue::edge e) {
  if (e != cue::edge::begin && e != cue::edge::end) return name == stem;
  return name.size() == stem.size() + 1 + edge_word.size() && name.starts_with(stem) && name[stem.size()] == '_' &&
         name.ends_with(edge_word);
}
#define NAMED_BY_STEM(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) &&named_by_stem(#NAME, #STEM, #EDGE, cue::edge::EDGE)
constexpr bool every_hook_named_by_stem = true CUE_HOOK_TABLE(NAMED_BY_STEM);
#undef NAMED_BY_STEM
#define FINGERPRINT(NAME, STEM, EDGE, PHASE, CARRIES, WHAT) " " #NAME ":" #STEM ":" #EDGE
constexpr std::string_view table_fingerprint = std::string_view(CUE_HOOK_TABLE(FINGERPRINT)).substr(1);
#undef FINGERPRINT

TEST_CASE("the hook table drives every list of hooks") {
  STATIC_REQUIRE(every_hook_named_by_stem);
  STATIC_REQUIRE(table_fingerprint == CUE_NEAR_MISS_TABLE_SOURCE);
  STATIC_REQUIRE(table_rows == 16);
  STATIC_REQUIRE(cue::all_events::size == table_rows);
  STATIC_REQUIRE(std::size(cue::hook_names) == table_rows);
  STATIC_REQUIRE(tags_match_names(static_cast<cue::all_events*>(nullptr)));
  STATIC_REQUIRE(every_lambda_factory);
  STATIC_REQUIRE(every_forwarding_member);
  STATIC_REQUIRE(every_virtual(static_cast<cue::all_events*>(nullptr)));
  STATIC_REQUIRE(near_misses_mean_hooks());
  STATIC_REQUIRE(std::string_view(CUE_HOOK_NAMES_TEXT).starts_with(" on_train_begin on_train_end"));
}

namespace {
struct finish {
  void on_epoch_finish(ctx&) {}
};
struct started {
  void on_train_started(ctx&) {}
};
struct swapped {
  void on_epoch_edn(ctx&) {}
};
struct dropped {
  void on_test_batch_bgin(ctx&) {}
};
struct doubled {
  void on_predcit_end(ctx&) {}
};
struct run_together {
  void on_trainbatch_end(ctx&) {}
};
struct other_member {
  void on_epoch(ctx&) {}
};
}  // namespace

TEST_CASE("near misses come by rule: other words for begin and end, and slips of the fingers") {
  STATIC_REQUIRE(cue::detail::first_near_miss<finish> == "on_epoch_finish");
  STATIC_REQUIRE(cue::detail::first_near_miss<started> == "on_train_started");
  STATIC_REQUIRE(cue::detail::first_near_miss<swapped> == "on_epoch_edn");
  STATIC_REQUIRE(cue::detail::first_near_miss<dropped> == "on_test_batch_bgin");
  STATIC_REQUIRE(cue::detail::first_near_miss<doubled> == "on_predcit_end");
  STATIC_REQUIRE(cue::detail::first_near_miss<run_together> == "on_trainbatch_end");
  STATIC_REQUIRE(cue::detail::first_near_miss<other_member>.empty());
}

// The names are kept as one literal; each read back by its index is the table's, first to last.
#define NEAR_MISS_NAME(NAME, HOOK) #NAME,
constexpr std::string_view near_miss_table_names[] = {CUE_NEAR_MISS_TABLE(NEAR_MISS_NAME)};
#undef NEAR_MISS_NAME
constexpr bool every_near_miss_name_read_back() {
  if (std::size(near_miss_table_names) != cue::detail::no_near_miss) return false;
  const std::size_t n = cue::detail::no_near_miss;
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, n / 2, n - 2, n - 1})
    if (cue::detail::near_miss_name(i) != near_miss_table_names[i]) return false;
  return true;
}

TEST_CASE("every near-miss name is read back by its index") {
  STATIC_REQUIRE(every_near_miss_name_read_back());
}
