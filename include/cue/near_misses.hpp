// Near-miss hook names: members that are likely meant as one of the sixteen hooks (a misspelling,
// Keras's legacy aliases, the names of PyTorch Lightning, fastai and ensmallen). A callback with
// such a member is a compile error that names the member and the hook it probably meant, whatever
// other hooks it has. A member meant as it is: `using not_hooks = cue::names<"epoch_end">;`.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include <cue/events.hpp>
#include <cue/fixed_string.hpp>

namespace cue {

// X(member, the hook it probably means): the list users are told about (docs/callbacks.md).
#define CUE_NEAR_MISSES(X) \
  /* Keras's legacy aliases */ \
  X(on_batch_begin, on_train_batch_begin) \
  X(on_batch_end, on_train_batch_end) \
  /* PyTorch Lightning's hooks */ \
  X(on_fit_start, on_train_begin) \
  X(on_fit_end, on_train_end) \
  X(on_train_start, on_train_begin) \
  X(on_train_epoch_start, on_epoch_begin) \
  X(on_train_epoch_end, on_epoch_end) \
  X(on_train_batch_start, on_train_batch_begin) \
  X(on_before_optimizer_step, on_after_backward) \
  X(on_validation_start, on_test_begin) \
  X(on_validation_end, on_test_end) \
  X(on_validation_epoch_start, on_test_begin) \
  X(on_validation_epoch_end, on_test_end) \
  X(on_validation_batch_start, on_test_batch_begin) \
  X(on_validation_batch_end, on_test_batch_end) \
  X(on_test_start, on_test_begin) \
  X(on_test_epoch_start, on_test_begin) \
  X(on_test_epoch_end, on_test_end) \
  X(on_test_batch_start, on_test_batch_begin) \
  X(on_predict_start, on_predict_begin) \
  X(on_predict_epoch_start, on_predict_begin) \
  X(on_predict_epoch_end, on_predict_end) \
  X(on_predict_batch_start, on_predict_batch_begin) \
  /* fastai's events */ \
  X(before_fit, on_train_begin) \
  X(after_fit, on_train_end) \
  X(before_epoch, on_epoch_begin) \
  X(after_epoch, on_epoch_end) \
  X(before_train, on_epoch_begin) \
  X(after_train, on_epoch_end) \
  X(before_batch, on_train_batch_begin) \
  X(after_batch, on_train_batch_end) \
  X(after_backward, on_after_backward) \
  X(before_validate, on_test_begin) \
  X(after_validate, on_test_end) \
  /* ensmallen's callbacks */ \
  X(BeginOptimization, on_train_begin) \
  X(EndOptimization, on_train_end) \
  X(BeginEpoch, on_epoch_begin) \
  X(EndEpoch, on_epoch_end) \
  X(StepTaken, on_train_batch_end) \
  /* _start/_stop for _begin/_end, plurals, without on_, CamelCase */ \
  X(on_train_stop, on_train_end) \
  X(on_epoch_start, on_epoch_begin) \
  X(on_epoch_stop, on_epoch_end) \
  X(on_train_batch_stop, on_train_batch_end) \
  X(on_test_stop, on_test_end) \
  X(on_test_batch_stop, on_test_batch_end) \
  X(on_predict_stop, on_predict_end) \
  X(on_predict_batch_stop, on_predict_batch_end) \
  X(on_train_begins, on_train_begin) \
  X(on_train_ends, on_train_end) \
  X(on_epoch_begins, on_epoch_begin) \
  X(on_epoch_ends, on_epoch_end) \
  X(on_train_batch_begins, on_train_batch_begin) \
  X(on_train_batch_ends, on_train_batch_end) \
  X(on_after_backwards, on_after_backward) \
  X(on_test_begins, on_test_begin) \
  X(on_test_ends, on_test_end) \
  X(on_test_batch_begins, on_test_batch_begin) \
  X(on_test_batch_ends, on_test_batch_end) \
  X(on_predict_begins, on_predict_begin) \
  X(on_predict_ends, on_predict_end) \
  X(on_predict_batch_begins, on_predict_batch_begin) \
  X(on_predict_batch_ends, on_predict_batch_end) \
  X(on_exceptions, on_exception) \
  X(train_begin, on_train_begin) \
  X(train_end, on_train_end) \
  X(epoch_begin, on_epoch_begin) \
  X(epoch_end, on_epoch_end) \
  X(train_batch_begin, on_train_batch_begin) \
  X(train_batch_end, on_train_batch_end) \
  X(test_begin, on_test_begin) \
  X(test_end, on_test_end) \
  X(test_batch_begin, on_test_batch_begin) \
  X(test_batch_end, on_test_batch_end) \
  X(predict_begin, on_predict_begin) \
  X(predict_end, on_predict_end) \
  X(predict_batch_begin, on_predict_batch_begin) \
  X(predict_batch_end, on_predict_batch_end) \
  X(exception, on_exception) \
  X(OnTrainBegin, on_train_begin) \
  X(OnTrainEnd, on_train_end) \
  X(OnEpochBegin, on_epoch_begin) \
  X(OnEpochEnd, on_epoch_end) \
  X(OnTrainBatchBegin, on_train_batch_begin) \
  X(OnTrainBatchEnd, on_train_batch_end) \
  X(OnAfterBackward, on_after_backward) \
  X(OnTestBegin, on_test_begin) \
  X(OnTestEnd, on_test_end) \
  X(OnTestBatchBegin, on_test_batch_begin) \
  X(OnTestBatchEnd, on_test_batch_end) \
  X(OnPredictBegin, on_predict_begin) \
  X(OnPredictEnd, on_predict_end) \
  X(OnPredictBatchBegin, on_predict_batch_begin) \
  X(OnPredictBatchEnd, on_predict_batch_end) \
  X(OnException, on_exception) \
  X(onTrainBegin, on_train_begin) \
  X(onTrainEnd, on_train_end) \
  X(onEpochBegin, on_epoch_begin) \
  X(onEpochEnd, on_epoch_end) \
  X(onTrainBatchBegin, on_train_batch_begin) \
  X(onTrainBatchEnd, on_train_batch_end) \
  X(onAfterBackward, on_after_backward) \
  X(onTestBegin, on_test_begin) \
  X(onTestEnd, on_test_end) \
  X(onTestBatchBegin, on_test_batch_begin) \
  X(onTestBatchEnd, on_test_batch_end) \
  X(onPredictBegin, on_predict_begin) \
  X(onPredictEnd, on_predict_end) \
  X(onPredictBatchBegin, on_predict_batch_begin) \
  X(onPredictBatchEnd, on_predict_batch_end) \
  X(onException, on_exception) \
  /* end */

namespace detail {
// One member of each near-miss name: `&near_miss_probe<C>::name` is ambiguous exactly when C
// declares a member of that name, of any kind (see every_hook_name).
struct every_near_miss_name {
#define CUE_NEAR_MISS_MEMBER(NAME, HOOK) int NAME;
  CUE_NEAR_MISSES(CUE_NEAR_MISS_MEMBER)
#undef CUE_NEAR_MISS_MEMBER
};
template <class C>
struct near_miss_probe : C, every_near_miss_name {};

template <fixed_string Name, fixed_string... Names>
consteval bool names_contain(names<Names...>*) {
  return ((Name == Names) || ...);
}

// The names a callback declares as intended: `using not_hooks = cue::names<...>;`.
template <class C, fixed_string Name>
inline constexpr bool intended = [] {
  if constexpr (requires { typename C::not_hooks; })
    return names_contain<Name>(static_cast<typename C::not_hooks*>(nullptr));
  else
    return false;
}();

template <class Callback, fixed_string Member, fixed_string Hook>
consteval bool report_near_miss() {
  static_assert(Member.size() == 0,  // always false: this is instantiated only for a near miss
                "cue: the callback type 'Callback' has a member 'Member', which is no hook but looks "
                "like the hook 'Hook'; rename it, or declare it meant with `using not_hooks = "
                "cue::names<\"...\">;`");
  return true;
}

// Whether C declares a member named NAME, of any kind (final classes: a member that can be named
// or called with one argument).
#define CUE_NEAR_MISS_TEST(NAME, HOOK)                                                          \
  template <class C>                                                                            \
  inline constexpr bool has_near_miss_##NAME = [] {                                             \
    if constexpr (probeable<C>)                                                                 \
      return !requires { &near_miss_probe<C>::NAME; } && !intended<C, #NAME>;                   \
    else                                                                                        \
      return (requires { &C::NAME; } || requires(C& c, any_argument& a) { c.NAME(a); }) &&      \
             !intended<C, #NAME>;                                                               \
  }();
CUE_NEAR_MISSES(CUE_NEAR_MISS_TEST)
#undef CUE_NEAR_MISS_TEST

// The fast path, one requirement list per type: C declares no member of any near-miss name.
template <class C>
concept without_near_miss_names = probeable<C> && requires {
#define CUE_NEAR_MISS_REQUIREMENT(NAME, HOOK) &near_miss_probe<C>::NAME;
  CUE_NEAR_MISSES(CUE_NEAR_MISS_REQUIREMENT)
#undef CUE_NEAR_MISS_REQUIREMENT
};

// The first near miss C declares, or "" when it declares none.
template <class C>
inline constexpr std::string_view first_near_miss = [] {
  if constexpr (without_near_miss_names<C>) {
    return std::string_view();
  } else {
#define CUE_NEAR_MISS_FIRST(NAME, HOOK) \
  if (has_near_miss_##NAME<C>) return std::string_view(#NAME);
    CUE_NEAR_MISSES(CUE_NEAR_MISS_FIRST)
#undef CUE_NEAR_MISS_FIRST
    return std::string_view();
  }
}();

// C, and the callbacks it wraps or groups, declare no near miss.
template <class C>
inline constexpr bool near_miss_free = [] {
  if constexpr (!first_near_miss<C>.empty())
    return false;
  else if constexpr (requires { typename C::inner_type; })
    return near_miss_free<typename C::inner_type>;
  else
    return true;
}();

// Reports the first near miss of C: one error, however many it has (and true, so that a
// static_assert on the result adds none).
template <class C>
consteval bool check_near_misses() {
  if constexpr (first_near_miss<C>.empty()) {
    return true;
  } else {
#define CUE_NEAR_MISS_REPORT(NAME, HOOK) \
  if constexpr (first_near_miss<C> == std::string_view(#NAME)) report_near_miss<C, #NAME, #HOOK>();
    CUE_NEAR_MISSES(CUE_NEAR_MISS_REPORT)
#undef CUE_NEAR_MISS_REPORT
    return true;
  }
}
}  // namespace detail

}  // namespace cue

#undef CUE_NEAR_MISSES
