// cue::reduce_lr_on_plateau: lower the learning rate when a metric has stopped improving
// (Keras's ReduceLROnPlateau).
#pragma once

#include <algorithm>
#include <concepts>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/state.hpp>
#include <cue/fixed_string.hpp>
#include <cue/learner.hpp>
#include <cue/monitor.hpp>
#include <cue/python_format.hpp>
#include <cue/run_events.hpp>

namespace cue {

/// Options of `cue::reduce_lr_on_plateau`, named and ordered as Keras's, with Keras's defaults.
struct reduce_lr_on_plateau_options {
  double factor = 0.1;               ///< new rate = rate * factor; must be < 1
  int patience = 10;                 ///< non-improving epochs before a reduction
  int verbose = 0;                   ///< 1: print each reduction
  cue::mode mode = mode::automatic;  ///< automatic: from the metric's name
  double min_delta = 1e-4;           ///< an improvement must beat the best by more than this
  int cooldown = 0;                  ///< epochs after a reduction before counting again (see notes)
  double min_lr = 0.0;               ///< the rate never goes below this
};

/// The fields of reduce_lr_on_plateau_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<reduce_lr_on_plateau_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("reduce_lr_on_plateau_options",
                  field{"factor", &O::factor},
                  field{"patience", &O::patience},
                  field{"verbose", &O::verbose},
                  field{"mode", &O::mode},
                  field{"min_delta", &O::min_delta},
                  field{"cooldown", &O::cooldown},
                  field{"min_lr", &O::min_lr});
}

/// Multiplies the learner's learning rate by `factor` when `Monitor` has not improved for
/// `patience` epochs, exactly as Keras 3's ReduceLROnPlateau.
///
/// Hooks: on_train_begin (resets best, wait and cooldown; not the rate), on_epoch_end.
/// Needs a learner with learning_rate() and set_learning_rate(double).
/// Notes, as in Keras: the cooldown counter is decremented before it is tested, so `cooldown = N`
/// freezes N - 1 epochs; improvements during cooldown still update the best; once the rate is at
/// `min_lr` nothing is reduced and `wait` keeps growing. The rate the epoch used is in the epoch
/// logs as `learning_rate` (cue's fit adds it for every learner that has one).
template <fixed_string Monitor = "val_loss">
class reduce_lr_on_plateau {
 public:
  using monitored = names<Monitor>;
  using needs = cue::needs<capability::learning_rate>;
  using emits = cue::emits<learning_rate_changed>;
  using options = reduce_lr_on_plateau_options;

  reduce_lr_on_plateau() : reduce_lr_on_plateau(options{}) {}
  explicit reduce_lr_on_plateau(const options& opts)
      : opts_(opts), mode_(resolve_mode(opts.mode, Monitor.view(), "reduce_lr_on_plateau")) {
    if (!(opts.factor < 1.0))
      throw std::invalid_argument(
          "cue: reduce_lr_on_plateau: factor must be < 1 (it multiplies the rate), got " +
          python_repr(opts.factor));
    if (opts.patience < 0)
      throw std::invalid_argument("cue: reduce_lr_on_plateau: patience must be >= 0, got " +
                                  std::to_string(opts.patience));
    if (opts.cooldown < 0)
      throw std::invalid_argument("cue: reduce_lr_on_plateau: cooldown must be >= 0, got " +
                                  std::to_string(opts.cooldown));
  }

  void on_train_begin(auto&) {
    best_.reset();
    wait_ = 0;
    cooldown_counter_ = 0;
  }

  void on_epoch_end(auto& ctx) {
    if (!has_log<Monitor>(ctx)) return;
    const double current = get<Monitor>(ctx.logs());
    if (cooldown_counter_ > 0) {
      --cooldown_counter_;
      wait_ = 0;
    }
    if (is_improvement(current, best_, mode_, opts_.min_delta)) {
      best_ = current;
      wait_ = 0;
    } else if (cooldown_counter_ <= 0) {
      ++wait_;
      if (wait_ >= opts_.patience) {
        const double old_lr = ctx.learner().learning_rate();
        if (old_lr > opts_.min_lr) {
          const double new_lr = std::max(old_lr * opts_.factor, opts_.min_lr);
          ctx.learner().set_learning_rate(new_lr);
          emit_if_heard<learning_rate_changed>(ctx, [&] { return learning_rate_changed{old_lr, new_lr}; });
          if (opts_.verbose > 0)
            std::cout << "\nEpoch " << ctx.epoch() + 1
                      << ": ReduceLROnPlateau reducing learning rate to " << python_repr(new_lr)
                      << ".\n";
          cooldown_counter_ = opts_.cooldown;
          wait_ = 0;
        }
      }
    }
  }

  [[nodiscard]] std::optional<double> best() const noexcept { return best_; }
  [[nodiscard]] int wait() const noexcept { return wait_; }
  [[nodiscard]] int cooldown_counter() const noexcept { return cooldown_counter_; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }
  [[nodiscard]] cue::mode resolved_mode() const noexcept { return mode_; }

  /// Its state, for a resumed run (backup_and_restore).
  /// The name its state is kept under in a backup: its kind and monitor.
  [[nodiscard]] static std::string state_key() { return "reduce_lr_on_plateau[" + std::string(Monitor.view()) + "]"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    return {{"best", state::number(best_)},
            {"wait", std::to_string(wait_)},
            {"cooldown_counter", std::to_string(cooldown_counter_)}};
  }
  void load_state_dict(const cue::state_dict& d) {
    best_ = state::to_optional(state::at(d, "best", "reduce_lr_on_plateau"));
    wait_ = state::integer_at<int>(d, "wait", "reduce_lr_on_plateau");
    cooldown_counter_ = state::integer_at<int>(d, "cooldown_counter", "reduce_lr_on_plateau");
  }

 private:
  options opts_;
  cue::mode mode_;
  std::optional<double> best_{};
  int wait_ = 0;
  int cooldown_counter_ = 0;
};

}  // namespace cue
