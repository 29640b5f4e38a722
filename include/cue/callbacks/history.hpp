// cue::history: the per-epoch logs of a fit, as Keras's History.
#pragma once

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <cue/context.hpp>

namespace cue {

/// Records every epoch's logs. `fit` returns one; passing one as a callback records across fits.
///
/// Hooks: on_train_begin (resets the epoch list and the stop reason only, like Keras, so values of
/// a reused history keep accumulating), on_epoch_end, on_train_end (why the fit stopped). A `val_*` value is recorded only for epochs where validation
/// ran, so with `validation_freq > 1` its list is shorter than `epochs()`, as in Keras.
class history {
 public:
  /// The 0-based epoch indices recorded since the last on_train_begin.
  [[nodiscard]] const std::vector<int>& epochs() const noexcept { return epochs_; }

  /// Every value recorded under `name`; throws std::out_of_range naming the known names if none.
  [[nodiscard]] const std::vector<double>& operator[](std::string_view name) const {
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    std::string known;
    for (const auto& [n, v] : values_) known += (known.empty() ? "" : ", ") + n;
    throw std::out_of_range("cue::history: no values named '" + std::string(name) +
                            "'; recorded names: " + (known.empty() ? "(none)" : known));
  }

  /// Whether values were recorded under `name`.
  [[nodiscard]] bool contains(std::string_view name) const { return values_.contains(name); }

  /// Every recorded name with its values, sorted by name (as Keras's `history.history`).
  [[nodiscard]] const std::map<std::string, std::vector<double>, std::less<>>& values() const noexcept {
    return values_;
  }

  /// Why the last fit stopped (`not_stopped` when every planned epoch ran), and how the callback
  /// that stopped it said so.
  [[nodiscard]] cue::stop_reason stop_reason() const noexcept { return stop_reason_; }
  [[nodiscard]] const std::string& stop_message() const noexcept { return stop_message_; }

  void on_train_begin(auto&) {
    epochs_.clear();
    stop_reason_ = cue::stop_reason::not_stopped;
    stop_message_.clear();
  }
  void on_train_end(auto& ctx) {
    stop_reason_ = ctx.state().stop_reason;
    stop_message_ = ctx.state().stop_message;
  }

  void on_epoch_end(auto& ctx) {
    epochs_.push_back(ctx.epoch());
    const auto& logs = ctx.logs();
    for (std::size_t i = 0; i < logs.names.size(); ++i) {
      const std::string_view name = logs.names[i];
      if (!is_measured(name, ctx.validated())) continue;
      auto it = values_.find(name);
      if (it == values_.end()) it = values_.emplace(std::string(name), std::vector<double>{}).first;
      it->second.push_back(logs.values[i]);
    }
  }

 private:
  std::vector<int> epochs_;
  cue::stop_reason stop_reason_ = cue::stop_reason::not_stopped;
  std::string stop_message_;
  std::map<std::string, std::vector<double>, std::less<>> values_;
};

}  // namespace cue
