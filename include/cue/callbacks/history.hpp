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
/// Hooks: on_train_begin (resets the epoch list only, like Keras, so values of a reused history
/// keep accumulating), on_epoch_end. A `val_*` value is recorded only for epochs where validation
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

  void on_train_begin(auto&) { epochs_.clear(); }

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
  std::map<std::string, std::vector<double>, std::less<>> values_;
};

}  // namespace cue
