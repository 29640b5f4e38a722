// cue::learning_rate_warmup: Horovod's gradual warm-up to a large global batch's learning rate
// (LearningRateWarmupCallback), for data-parallel training.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <cue/context.hpp>
#include <cue/distributed/communicator.hpp>
#include <cue/learner.hpp>
#include <cue/options.hpp>

namespace cue {

/// Options of `cue::learning_rate_warmup`, in Horovod's order (its momentum correction aside).
struct learning_rate_warmup_options {
  double initial_learning_rate = 0;  ///< the rate to reach: the base rate times the ranks (required)
  int warmup_epochs = 5;
  std::size_t steps_per_epoch = 0;   ///< 0: the loop's (fit knows it for sized data)
  int verbose = 0;                   ///< 1: say on rank 0 when the warm-up ends
};

template <std::same_as<learning_rate_warmup_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("learning_rate_warmup_options",
                  field{"initial_learning_rate", &O::initial_learning_rate},
                  field{"warmup_epochs", &O::warmup_epochs},
                  field{"steps_per_epoch", &O::steps_per_epoch},
                  field{"verbose", &O::verbose});
}

/// Before every batch of the first `warmup_epochs` epochs, sets the rate to Horovod's
/// `initial_learning_rate * (1/size) * ((e + 1/steps) * (size - 1)/warmup_epochs + 1)`, with
/// `e = epoch + batch/steps` and `size` the number of ranks (1 outside a distributed fit): the
/// first batch trains at about `initial_learning_rate / size`, the last warm-up batch at exactly
/// `initial_learning_rate` (the `1/steps` shift is Horovod's). After the warm-up it leaves the
/// rate alone. Horovod's momentum correction is not done (cue's learners do not expose momentum).
///
/// Hooks: on_train_begin, on_train_batch_begin, on_epoch_end. Needs a learner with
/// learning_rate() and set_learning_rate(double).
class learning_rate_warmup {
 public:
  using needs = cue::needs<capability::learning_rate>;
  using options = learning_rate_warmup_options;

  explicit learning_rate_warmup(const options& opts) : opts_(opts) {
    if (!(opts.initial_learning_rate > 0))
      throw std::invalid_argument("cue: learning_rate_warmup: initial_learning_rate must be > 0 (the base rate "
                                  "times the number of ranks)");
    if (opts.warmup_epochs < 1)
      throw std::invalid_argument("cue: learning_rate_warmup: warmup_epochs must be >= 1, got " +
                                  std::to_string(opts.warmup_epochs));
  }

  void on_train_begin(auto& ctx) {
    steps_ = opts_.steps_per_epoch > 0 ? opts_.steps_per_epoch : ctx.params().steps;
    if (steps_ == 0)
      throw std::invalid_argument("cue: learning_rate_warmup: the loop cannot say how many steps an epoch has; "
                                  "set .steps_per_epoch");
    using L = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (distributed_learner<L>) {
      size_ = ctx.learner().communicator().size();
      rank_ = ctx.learner().communicator().rank();
    }
  }

  void on_train_batch_begin(auto& ctx) {
    if (ctx.epoch() >= opts_.warmup_epochs) return;
    ctx.learner().set_learning_rate(rate(ctx.epoch(), ctx.batch()));
  }

  void on_epoch_end(auto& ctx) {
    if (opts_.verbose > 0 && rank_ == 0 && ctx.epoch() == opts_.warmup_epochs - 1)
      std::printf("\nEpoch %d: finished gradual learning rate warmup to %g.\n", ctx.epoch() + 1,
                  ctx.learner().learning_rate());
  }

  /// The rate before batch `batch` of epoch `epoch` (both 0-based).
  [[nodiscard]] double rate(int epoch, std::size_t batch) const {
    const double steps = static_cast<double>(steps_);
    const double e = epoch + static_cast<double>(batch) / steps;
    const double n = size_;
    return opts_.initial_learning_rate / n * ((e + 1 / steps) * (n - 1) / opts_.warmup_epochs + 1);
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  options opts_;
  std::size_t steps_ = 0;
  int size_ = 1, rank_ = 0;
};

}  // namespace cue
