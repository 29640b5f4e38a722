// Learning-rate schedules as values, exact to PyTorch's torch.optim.lr_scheduler (1.13): the same
// recurrences in the same order of operations, so that a rate here is PyTorch's, bit for bit.
// Applied by cue::learning_rate_schedule (<cue/callbacks/learning_rate_schedule.hpp>), per batch
// or per epoch.
#pragma once

#include <cmath>
#include <cstddef>
#include <numbers>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace cue::schedules {

// A schedule is a value with `double rate(std::size_t t, double current, double base)`: the rate
// of step t (0: the start) given the rate of step t - 1 and the rate the learner had at the start
// (PyTorch's get_lr, with `current` its group['lr'] and `base` its base_lrs).

/// StepLR: the rate times `gamma` every `step_size` steps.
struct step {
  std::size_t step_size = 1;
  double gamma = 0.1;
  [[nodiscard]] double rate(std::size_t t, double current, double) const {
    return t == 0 || t % step_size != 0 ? current : current * gamma;
  }
};

/// MultiStepLR: the rate times `gamma` at each milestone (a milestone given twice, gamma squared).
struct multi_step {
  std::vector<std::size_t> milestones{};
  double gamma = 0.1;
  [[nodiscard]] double rate(std::size_t t, double current, double) const {
    std::size_t times = 0;
    for (auto m : milestones) times += m == t;
    return times == 0 ? current : current * std::pow(gamma, static_cast<double>(times));
  }
};

/// ExponentialLR: the rate times `gamma` every step.
struct exponential {
  double gamma = 0.9;
  [[nodiscard]] double rate(std::size_t t, double current, double) const { return t == 0 ? current : current * gamma; }
};

/// LinearLR (a linear warm-up): the rate times a factor going from `start_factor` to
/// `end_factor` over `total_iters` steps, then held.
struct linear {
  double start_factor = 1.0 / 3;
  double end_factor = 1.0;
  std::size_t total_iters = 5;
  [[nodiscard]] double rate(std::size_t t, double current, double) const {
    if (t == 0) return current * start_factor;
    if (t > total_iters) return current;
    return current * (1. + (end_factor - start_factor) /
                               (static_cast<double>(total_iters) * start_factor +
                                static_cast<double>(t - 1) * (end_factor - start_factor)));
  }
};

/// PolynomialLR: the rate decayed as (1 - t / total_iters)^power, then held.
struct polynomial {
  std::size_t total_iters = 5;
  double power = 1.0;
  [[nodiscard]] double rate(std::size_t t, double current, double) const {
    if (t == 0 || t > total_iters) return current;
    const double n = static_cast<double>(total_iters);
    const double decay = std::pow((1.0 - static_cast<double>(t) / n) / (1.0 - static_cast<double>(t - 1) / n), power);
    return current * decay;
  }
};

/// CosineAnnealingLR: from the rate down to `eta_min` along half a cosine over `t_max` steps, and
/// up again over the next `t_max` (PyTorch's recurrence, not its closed form).
struct cosine {
  std::size_t t_max = 10;
  double eta_min = 0;
  /// The rate when started afresh in a sequence (PyTorch's closed form at step 0, which can differ
  /// from the base rate in its last bit).
  [[nodiscard]] double start(double base) const {
    return eta_min + (base - eta_min) * (1 + std::cos(std::numbers::pi * 0.0 / static_cast<double>(t_max))) / 2;
  }
  [[nodiscard]] double rate(std::size_t t, double current, double base) const {
    constexpr double pi = std::numbers::pi;
    if (t == 0) return current;
    const auto period = 2 * static_cast<long long>(t_max);
    const long long d = static_cast<long long>(t) - 1 - static_cast<long long>(t_max);
    if (((d % period) + period) % period == 0)  // Python's modulo, never negative
      return current + (base - eta_min) * (1 - std::cos(pi / static_cast<double>(t_max))) / 2;
    return (1 + std::cos(pi * static_cast<double>(t) / static_cast<double>(t_max))) /
               (1 + std::cos(pi * static_cast<double>(t - 1) / static_cast<double>(t_max))) * (current - eta_min) +
           eta_min;
  }
};

/// CosineAnnealingWarmRestarts (SGDR): half a cosine from the base rate to `eta_min` over `t_0`
/// steps, then again from the base over `t_0 * t_mult`, and so on.
struct cosine_warm_restarts {
  std::size_t t_0 = 10;
  std::size_t t_mult = 1;
  double eta_min = 0;
  std::size_t t_cur = 0, t_i = 0;  ///< where it is in its cycle (PyTorch's T_cur, T_i), set by rate()

  [[nodiscard]] double rate(std::size_t t, double, double base) {
    if (t == 0) {
      t_cur = 0;
      t_i = t_0;
    } else if (++t_cur >= t_i) {
      t_cur -= t_i;
      t_i *= t_mult;
    }
    return eta_min + (base - eta_min) *
                         (1 + std::cos(std::numbers::pi * static_cast<double>(t_cur) / static_cast<double>(t_i))) / 2;
  }
};

enum class anneal { cos, linear };

/// OneCycleLR: from `max_lr / div_factor` up to `max_lr` over the first `pct_start` of
/// `total_steps`, then down to `max_lr / div_factor / final_div_factor` (with `three_phase`, back
/// to the start first, then down); the learner's own rate is not used.
struct one_cycle {
  double max_lr = 0.1;
  std::size_t total_steps = 100;
  double pct_start = 0.3;
  anneal anneal_strategy = anneal::cos;
  double div_factor = 25;
  double final_div_factor = 1e4;
  bool three_phase = false;

  void validate() const {
    if (total_steps == 0) throw std::invalid_argument("cue: schedules::one_cycle: total_steps must be > 0");
    if (!(pct_start >= 0 && pct_start <= 1))
      throw std::invalid_argument("cue: schedules::one_cycle: pct_start must be in [0, 1]");
  }
  [[nodiscard]] double rate(std::size_t t, double, double) const {
    if (t > total_steps)
      throw std::out_of_range("cue: schedules::one_cycle: step " + std::to_string(t + 1) + " of " +
                              std::to_string(total_steps) + " total_steps; give it the fit's number of steps");
    const double initial = max_lr / div_factor, min = initial / final_div_factor;
    const double n = static_cast<double>(total_steps);
    struct phase {
      double end_step, start, end;
    };
    const phase two[] = {{pct_start * n - 1, initial, max_lr}, {n - 1, max_lr, min}};
    const phase three[] = {{pct_start * n - 1, initial, max_lr}, {2 * pct_start * n - 2, max_lr, initial}, {n - 1, initial, min}};
    const phase* phases = three_phase ? three : two;
    const std::size_t count = three_phase ? 3 : 2;
    const double step = static_cast<double>(t);
    double start_step = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const phase& p = phases[i];
      if (step <= p.end_step || i == count - 1) {
        const double pct = (step - start_step) / (p.end_step - start_step);
        if (anneal_strategy == anneal::linear) return (p.end - p.start) * pct + p.start;
        const double cos_out = std::cos(std::numbers::pi * pct) + 1;
        return p.end + (p.start - p.end) / 2.0 * cos_out;
      }
      start_step = p.end_step;
    }
    return min;  // not reached
  }
};

/// SequentialLR: `first` until the first milestone, then the next schedule, each started afresh
/// from the base rate at its milestone (as PyTorch's step(0) does).
template <class... Schedules>
struct sequence {
  std::tuple<Schedules...> schedules;
  std::vector<std::size_t> milestones{};

  void validate() const {
    if (milestones.size() + 1 != sizeof...(Schedules))
      throw std::invalid_argument("cue: schedules::sequence: " + std::to_string(sizeof...(Schedules)) +
                                  " schedules need " + std::to_string(sizeof...(Schedules) - 1) + " milestones, got " +
                                  std::to_string(milestones.size()));
  }
  [[nodiscard]] double rate(std::size_t t, double current, double base) {
    std::size_t index = 0, since = 0;
    for (auto m : milestones)
      if (m <= t) ++index, since = m;
    const std::size_t local = t - since;
    return at(index, [&](auto& s) {
      if (local > 0 || index == 0) return s.rate(local, local == 0 ? base : current, base);
      if constexpr (requires { s.start(base); }) {
        (void)s.rate(0, base, base);  // what it keeps between steps starts again
        return s.start(base);
      } else {
        return s.rate(0, base, base);
      }
    });
  }

 private:
  template <class F, std::size_t I = 0>
  double at(std::size_t index, F&& f) {
    if constexpr (I + 1 == sizeof...(Schedules)) {
      return f(std::get<I>(schedules));
    } else {
      return index == I ? f(std::get<I>(schedules)) : at<F, I + 1>(index, std::forward<F>(f));
    }
  }
};
template <class... Schedules>
sequence(std::tuple<Schedules...>, std::vector<std::size_t>) -> sequence<Schedules...>;

}  // namespace cue::schedules
