// cue::early_stopping: stop training when a monitored metric has stopped improving (Keras's
// EarlyStopping, plus PyTorch Lightning's stopping_threshold, divergence_threshold, check_finite).
#pragma once

#include <any>
#include <cmath>
#include <concepts>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/state.hpp>
#include <cue/fixed_string.hpp>
#include <cue/learner.hpp>
#include <cue/monitor.hpp>
#include <cue/python_format.hpp>

namespace cue {

/// Options of `cue::early_stopping`, named and ordered as Keras's keyword arguments, with Keras's
/// defaults; Lightning's options follow.
struct early_stopping_options {
  double min_delta = 0;              ///< an improvement must beat the best by more than |min_delta|
  int patience = 0;                  ///< non-improving epochs to allow (0 and 1 behave alike, as in Keras)
  int verbose = 0;                   ///< 1: print when stopping and restoring
  cue::mode mode = mode::automatic;  ///< automatic: from the metric's name
  std::optional<double> baseline{};  ///< stop unless this value is beaten (see the notes)
  bool restore_best_weights = false; ///< at train end, load the best epoch's state (needs state())
  int start_from_epoch = 0;          ///< epochs before this index are not monitored
  // PyTorch Lightning's additions; off by default, so the behaviour is Keras's.
  std::optional<double> stopping_threshold{};    ///< stop as soon as the metric reaches this value
  std::optional<double> divergence_threshold{};  ///< stop as soon as the metric is worse than this
  bool check_finite = false;                     ///< stop as soon as the metric is NaN or infinite
};

/// The fields of early_stopping_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<early_stopping_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("early_stopping_options",
                  field{"min_delta", &O::min_delta},
                  field{"patience", &O::patience},
                  field{"verbose", &O::verbose},
                  field{"mode", &O::mode},
                  field{"baseline", &O::baseline},
                  field{"restore_best_weights", &O::restore_best_weights},
                  field{"start_from_epoch", &O::start_from_epoch},
                  field{"stopping_threshold", &O::stopping_threshold},
                  field{"divergence_threshold", &O::divergence_threshold},
                  field{"check_finite", &O::check_finite});
}

/// Stops training when `Monitor` has stopped improving, exactly as Keras 3's EarlyStopping.
///
/// Hooks: on_train_begin (resets the state, so an instance serves several fits),
/// on_epoch_end (the decision), on_train_end (restores the best weights).
/// Notes, as in Keras: the first monitored value always counts as an improvement (even NaN, which
/// can then never be beaten); `wait` counts from the epoch after the last improvement and the stop
/// test runs only on non-improving epochs, so `patience` 0 and 1 are alike; with a `baseline`,
/// `wait` resets only on improvements that also beat the baseline; with
/// `restore_best_weights`, the best state is restored at train end whether or not training stopped
/// early. Epochs whose logs lack the metric (`val_*` on epochs without validation) are skipped.
template <fixed_string Monitor = "val_loss">
class early_stopping {
 public:
  using monitored = names<Monitor>;
  using options = early_stopping_options;

  early_stopping() : early_stopping(options{}) {}
  explicit early_stopping(const options& opts)
      : opts_(opts), mode_(resolve_mode(opts.mode, Monitor.view(), "early_stopping")) {
    if (opts.patience < 0)
      throw std::invalid_argument("cue: early_stopping: patience must be >= 0, got " +
                                  std::to_string(opts.patience));
    if (opts.start_from_epoch < 0)
      throw std::invalid_argument("cue: early_stopping: start_from_epoch must be >= 0, got " +
                                  std::to_string(opts.start_from_epoch));
  }

  void on_train_begin(auto& ctx) {
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (!has_state<learner_type>) {
      if (opts_.restore_best_weights)
        throw std::invalid_argument(
            "cue: early_stopping: restore_best_weights needs a learner with state() and "
            "load_state(s); add them to the learner, or leave restore_best_weights false");
    }
    if (opts_.restore_best_weights && ctx.state().background)
      throw std::invalid_argument(
          "cue: early_stopping: restore_best_weights loads weights into the learner, and inside "
          "cue::in_background the callback sees a copy of it; pass early_stopping to fit directly");
    wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
    best_.reset();
    best_weights_.reset();
    pending_weights_.clear();  // a backup's state is loaded after this, at the first epoch begin
  }

  void on_epoch_end(auto& ctx) {
    if (!has_log<Monitor>(ctx) || ctx.epoch() < opts_.start_from_epoch) return;
    const double current = get<Monitor>(ctx.logs());
    const bool patience_exhausted = keras_decision(ctx, current);
    // Lightning's order of reasons, with its words (the divergence message shows the relation
    // that holds, where Lightning's shows the improving one).
    const std::string monitor(Monitor.view());
    const char* better = mode_ == mode::min ? " < " : " > ";
    const char* worse = mode_ == mode::min ? " > " : " < ";
    if (opts_.check_finite && !std::isfinite(current))
      stop(ctx, stop_reason::non_finite_metric,
           "Monitored metric " + monitor + " = " + python_repr(current) +
               " is not finite. Previous best value was " + three_decimals(best_) + ". Signaling Trainer to stop.");
    else if (opts_.stopping_threshold && beats(current, *opts_.stopping_threshold))
      stop(ctx, stop_reason::stopping_threshold,
           "Stopping threshold reached: " + monitor + " = " + python_repr(current) + better +
               python_repr(*opts_.stopping_threshold) + ". Signaling Trainer to stop.");
    else if (opts_.divergence_threshold && beats(*opts_.divergence_threshold, current))
      stop(ctx, stop_reason::divergence_threshold,
           "Divergence threshold reached: " + monitor + " = " + python_repr(current) + worse +
               python_repr(*opts_.divergence_threshold) + ". Signaling Trainer to stop.");
    else if (patience_exhausted)
      stop(ctx, stop_reason::patience_exhausted,
           "Monitored metric " + monitor + " did not improve in the last " + std::to_string(wait_) +
               " records. Best score: " + three_decimals(best_) + ". Signaling Trainer to stop.");
  }

  void on_train_end(auto& ctx) {
    if (opts_.verbose > 0 && stopped_epoch_ > 0)
      std::cout << "Epoch " << stopped_epoch_ + 1 << ": early stopping\n";
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (has_state<learner_type>) {
      decode_pending<learner_type>();
      if (opts_.restore_best_weights && best_weights_.has_value()) {
        if (opts_.verbose > 0)
          std::cout << "Restoring model weights from the end of the best epoch: "
                    << best_epoch_ + 1 << ".\n";
        ctx.learner().load_state(std::any_cast<const snapshot_of<learner_type>&>(best_weights_));
      }
    }
  }

  /// The epoch at whose end training was asked to stop; 0 if it was not (as in Keras).
  [[nodiscard]] int stopped_epoch() const noexcept { return stopped_epoch_; }
  /// The best value seen; none before the first monitored epoch.
  [[nodiscard]] std::optional<double> best() const noexcept { return best_; }
  /// The epoch of the best value (or of the first monitored epoch, with restore_best_weights).
  [[nodiscard]] int best_epoch() const noexcept { return best_epoch_; }
  /// Epochs since the last improvement that reset it.
  [[nodiscard]] int wait() const noexcept { return wait_; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }
  /// The direction the metric improves in, with automatic resolved.
  [[nodiscard]] cue::mode resolved_mode() const noexcept { return mode_; }

  /// The name its state is kept under in a backup: its kind and monitor.
  [[nodiscard]] static std::string state_key() { return "early_stopping[" + std::string(Monitor.view()) + "]"; }
  /// Its state, for a resumed run (backup_and_restore): wait, best, epochs, and the best weights
  /// through the learner's cue::snapshot_codec (an error at the first backup if it has none).
  [[nodiscard]] cue::state_dict state_dict() const {
    cue::state_dict d{{"wait", std::to_string(wait_)},
                      {"stopped_epoch", std::to_string(stopped_epoch_)},
                      {"best_epoch", std::to_string(best_epoch_)},
                      {"best", state::number(best_)}};
    const cue::state_dict weights = best_weights_.has_value() ? encode_(best_weights_) : pending_weights_;
    for (const auto& [k, v] : weights) d["best_weights." + k] = v;
    return d;
  }
  void load_state_dict(const cue::state_dict& d) {
    const std::string owner = "early_stopping";
    wait_ = state::integer_at<int>(d, "wait", owner);
    stopped_epoch_ = state::integer_at<int>(d, "stopped_epoch", owner);
    best_epoch_ = state::integer_at<int>(d, "best_epoch", owner);
    best_ = state::to_optional(state::at(d, "best", owner));
    best_weights_.reset();
    pending_weights_ = state::slice(d, "best_weights.");  // decoded when the learner's type is known
  }

 private:
  template <class L>
  using snapshot_of = std::remove_cvref_t<decltype(std::declval<L&>().state())>;

  // Keeps a snapshot of the learner, and how to encode it for a backup.
  template <class L>
  void keep_weights(L& learner) {
    using S = snapshot_of<L>;
    best_weights_ = S(learner.state());
    encode_ = [](const std::any& w) -> cue::state_dict {
      if constexpr (serializable_snapshot<S>)
        return snapshot_codec<S>::save(std::any_cast<const S&>(w));
      else
        throw std::runtime_error(no_codec);
    };
    pending_weights_.clear();
  }
  // The best weights a resumed run loaded, decoded now that the learner's type is known.
  template <class L>
  void decode_pending() {
    if (pending_weights_.empty()) return;
    using S = snapshot_of<L>;
    if constexpr (serializable_snapshot<S>) {
      best_weights_ = snapshot_codec<S>::load(pending_weights_);
      encode_ = [](const std::any& w) { return snapshot_codec<S>::save(std::any_cast<const S&>(w)); };
      pending_weights_.clear();
    } else {
      throw std::runtime_error(no_codec);
    }
  }
  static constexpr const char* no_codec =
      "cue: early_stopping: restore_best_weights keeps a snapshot of the learner, which a backup "
      "can hold only through cue::snapshot_codec; specialize it for the type the learner's state() "
      "returns";

  // Keras's EarlyStopping.on_epoch_end, step for step.
  // Returns whether patience ran out (Keras stops then; the caller gives the reason).
  bool keras_decision(auto& ctx, double current) {
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (has_state<learner_type>) {
      decode_pending<learner_type>();
      if (opts_.restore_best_weights && !best_weights_.has_value()) {
        keep_weights(ctx.learner());
        best_epoch_ = ctx.epoch();
      }
    }
    ++wait_;
    if (is_improvement(current, best_, mode_, opts_.min_delta)) {
      best_ = current;
      best_epoch_ = ctx.epoch();
      if constexpr (has_state<learner_type>) {
        if (opts_.restore_best_weights) keep_weights(ctx.learner());
      }
      if (!opts_.baseline || is_improvement(current, opts_.baseline, mode_, opts_.min_delta))
        wait_ = 0;
      return false;
    }
    return wait_ >= opts_.patience && ctx.epoch() > 0;
  }

  [[nodiscard]] bool beats(double a, double b) const noexcept {
    return mode_ == mode::min ? a < b : a > b;
  }

  void stop(auto& ctx, stop_reason reason, std::string message) {
    stopped_epoch_ = ctx.epoch();
    ctx.request_stop(reason, std::move(message));
  }
  static std::string three_decimals(std::optional<double> v) {
    return v ? python_format_value(*v, ".3f") : std::string("None");
  }

  options opts_;
  cue::mode mode_;
  int wait_ = 0;
  int stopped_epoch_ = 0;
  int best_epoch_ = 0;
  std::optional<double> best_{};
  std::any best_weights_{};
  cue::state_dict (*encode_)(const std::any&) = nullptr;  // set with best_weights_
  cue::state_dict pending_weights_{};  // loaded from a backup, not yet decoded
};

}  // namespace cue
