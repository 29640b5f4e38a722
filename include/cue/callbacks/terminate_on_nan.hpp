// cue::terminate_on_nan: stop when the training loss becomes NaN or infinite (Keras's TerminateOnNaN).
#pragma once

#include <cmath>
#include <concepts>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <type_traits>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/fixed_string.hpp>
#include <cue/python_format.hpp>

namespace cue {

/// Options of `cue::terminate_on_nan`, as Keras's.
struct terminate_on_nan_options {
  bool raise_error = false;  ///< throw std::runtime_error instead of stopping cleanly
};

/// The fields of terminate_on_nan_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<terminate_on_nan_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("terminate_on_nan_options",
                  field{"raise_error", &O::raise_error});
}

/// Checks the training loss after every batch, as Keras 3's TerminateOnNaN: on NaN or ±inf it
/// prints "Batch N: Invalid loss, terminating training" and asks the loop to stop (validation and
/// on_epoch_end still run for that epoch, then on_train_end), or with `raise_error` throws, so
/// fit ends through on_exception and on_train_end is not called. Epoch and validation logs are not
/// checked. Since batch logs are running means, one NaN batch makes the epoch's mean NaN.
///
/// Hooks: on_train_batch_end. Monitors `loss`.
class terminate_on_nan {
 public:
  using monitored = names<"loss">;
  using options = terminate_on_nan_options;

  terminate_on_nan() = default;
  explicit terminate_on_nan(const options& opts) : opts_(opts) {}

  void on_train_batch_end(auto& ctx) {
    const double loss = get<"loss">(ctx.logs());
    if (std::isfinite(loss)) return;
    if (opts_.raise_error)
      throw std::runtime_error("NaN or Inf loss encountered at batch " + std::to_string(ctx.batch()) +
                               ". Loss value: " + python_repr(loss) +
                               ". Terminating training immediately.");
    std::string message = "Batch " + std::to_string(ctx.batch()) + ": Invalid loss, terminating training";
    std::cout << message << '\n';
    ctx.request_stop(stop_reason::non_finite_loss, std::move(message));
  }

  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  options opts_{};
};

}  // namespace cue
