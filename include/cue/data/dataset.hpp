// cue::data::dataset: examples and labels in memory, served as shuffled batches.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <utility>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include <cue/state.hpp>

namespace cue::data {

/// One batch: rows of features and their integer labels. `size()` is the number of examples,
/// which weighs the loop's running means as in Keras.
struct batch {
  xt::xtensor<float, 2> x;
  xt::xtensor<std::int32_t, 1> y;
  [[nodiscard]] std::size_t size() const noexcept { return y.size(); }
};

/// Examples (one row of float32 features each) with integer labels.
struct dataset {
  xt::xtensor<float, 2> x;
  xt::xtensor<std::int32_t, 1> y;

  [[nodiscard]] std::size_t size() const noexcept { return y.size(); }

  /// A copy of the first `n` examples (all of them when there are fewer), to try a run on part of
  /// the data: `data.train = data.train.first(6000);`.
  [[nodiscard]] dataset first(std::size_t n) const {
    n = std::min(n, size());
    return {xt::view(x, xt::range(0, n), xt::all()), xt::view(y, xt::range(0, n))};
  }
};

/// The first `1 - fraction` of the examples and the last `fraction`, as Keras's validation_split
/// (taken before any shuffling).
inline std::pair<dataset, dataset> split(const dataset& d, double fraction) {
  if (!(fraction > 0 && fraction < 1))
    throw std::invalid_argument("cue: split: fraction must be in (0, 1), got " + std::to_string(fraction));
  const auto n = d.size();
  const auto first = n - static_cast<std::size_t>(static_cast<double>(n) * fraction);
  dataset a{xt::view(d.x, xt::range(0, first), xt::all()), xt::view(d.y, xt::range(0, first))};
  dataset b{xt::view(d.x, xt::range(first, n), xt::all()), xt::view(d.y, xt::range(first, n))};
  return {std::move(a), std::move(b)};
}

/// Options of `batches`.
struct batches_options {
  std::size_t batch_size = 32;  ///< with `ranks` > 1, the global batch, which the ranks share
  bool shuffle = true;        ///< a new order every epoch, from `seed` and the epoch's count
  std::uint64_t seed = 0;
  /// Data-parallel training (cue::data_parallel): every rank draws the same order and takes its
  /// part of each global batch of `batch_size`, rows [n*rank/ranks, n*(rank+1)/ranks) of its n,
  /// so the ranks' parts of a step are that step's batch of a one-process run, and every rank has
  /// the same number of steps (a part may be empty).
  std::size_t rank = 0;
  std::size_t ranks = 1;
};

/// A re-iterable range of batches over a dataset it refers to. With `shuffle`, each pass (epoch)
/// has its own order, a function of the seed and the pass's number only, so runs are
/// reproducible and a resumed run can restore `passes()`.
class batches {
 public:
  batches(dataset&&, batches_options) = delete;  // it refers to the dataset: keep one alive
  batches(const dataset& d, batches_options opts) : data_(&d), opts_(opts) {
    if (opts_.batch_size == 0) throw std::invalid_argument("cue: batches: batch_size must be > 0");
    if (opts_.ranks == 0 || opts_.rank >= opts_.ranks)
      throw std::invalid_argument("cue: batches: rank must be < ranks, got rank " + std::to_string(opts_.rank) +
                                  " of " + std::to_string(opts_.ranks));
  }

  class iterator {
   public:
    using value_type = batch;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const batches* owner, std::vector<std::size_t> order, std::size_t at)
        : owner_(owner), order_(std::make_shared<std::vector<std::size_t>>(std::move(order))), at_(at) {}
    batch operator*() const { return owner_->gather(*order_, at_); }
    iterator& operator++() {
      at_ += owner_->opts_.batch_size;
      if (at_ >= order_->size()) {
        at_ = order_->size();
        owner_->dealing_ = false;  // the pass is complete
      }
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& o) const { return at_ == o.at_; }

   private:
    const batches* owner_ = nullptr;
    std::shared_ptr<const std::vector<std::size_t>> order_;
    std::size_t at_ = 0;
  };

  /// Starts a pass: the next epoch's order.
  iterator begin() const {
    std::vector<std::size_t> order(data_->size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (opts_.shuffle) {
      std::mt19937_64 rng(opts_.seed * 0x9E3779B97F4A7C15ULL + passes_);
      for (std::size_t i = order.size(); i > 1; --i)  // Fisher-Yates, independent of the library
        std::swap(order[i - 1], order[rng() % i]);
    }
    ++passes_;
    dealing_ = !order.empty();
    return iterator(this, std::move(order), 0);
  }
  iterator end() const { return iterator(this, {}, data_->size()); }
  [[nodiscard]] std::size_t size() const noexcept {
    return (data_->size() + opts_.batch_size - 1) / opts_.batch_size;
  }
  /// Passes started so far (the shuffle's state); set it to resume a run's order.
  [[nodiscard]] std::uint64_t passes() const noexcept { return passes_; }
  void set_passes(std::uint64_t p) noexcept { passes_ = p, dealing_ = false; }
  /// The shuffle's state, for a resumed run (backup_and_restore): the passes completed, so that
  /// while a pass is under way its state deals that pass again (a resumed run then skips the
  /// batches it already trained on).
  /// The name its state is kept under in a backup.
  [[nodiscard]] static std::string state_key() { return "batches"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    return {{"passes", std::to_string(passes_ - (dealing_ ? 1 : 0))}};
  }
  void load_state_dict(const cue::state_dict& d) {
    set_passes(state::to_count(cue::state::at(d, "passes", "batches")));
  }

 private:
  batch gather(const std::vector<std::size_t>& order, std::size_t at) const {
    const std::size_t global = std::min(opts_.batch_size, order.size() - at);
    at += global * opts_.rank / opts_.ranks;  // this rank's part of the global batch
    const std::size_t n = global * (opts_.rank + 1) / opts_.ranks - global * opts_.rank / opts_.ranks;
    const std::size_t d = data_->x.shape()[1];
    batch b{xt::xtensor<float, 2>::from_shape({n, d}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = order[at + i];
      std::copy_n(data_->x.data() + row * d, d, b.x.data() + i * d);
      b.y(i) = data_->y(row);
    }
    return b;
  }

  const dataset* data_;
  batches_options opts_;
  mutable std::uint64_t passes_ = 0;
  mutable bool dealing_ = false;  // a pass has begun and not reached its end
};

}  // namespace cue::data
