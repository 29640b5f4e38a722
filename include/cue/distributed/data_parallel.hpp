// cue::data_parallel: one learner per rank, each training on its part of every global batch,
// the gradients of all ranks averaged (weighted by their samples) before every
// update, so that N ranks compute what one process computes on the whole global batch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/distributed/broadcast_file.hpp>
#include <cue/distributed/communicator.hpp>
#include <cue/learner.hpp>

namespace cue {

namespace detail {
template <class L>
struct gradient_element {
  using type = float;  // for the error message's sake; data_parallel asserts gradients()
};
template <class L>
  requires requires(L& l) { l.gradients()[0]; }
struct gradient_element<L> {
  using type = typename std::remove_cvref_t<decltype(std::declval<L&>().gradients()[0])>::element_type;
};
}  // namespace detail

/// Wraps `learner` (by reference) for data-parallel training over `comm`. Give fit data that
/// deals each rank its part of every global batch (`cue::data::batches` with `.rank` and
/// `.ranks`); then the loops reduce the epoch's logs (training and `val_*`) over the ranks from
/// their sample-weighted sums, and make each stop decision together (see cue::fit).
///
/// `forward_backward` runs the learner's forward and backward pass on the rank's part, sums the
/// samples over all ranks, then sums `samples / total * gradient` over all ranks (large gradients
/// in place, the small ones in one message) and so leaves the weighted mean in the learner's
/// gradients; `apply_gradients` then makes the same update on every rank.
/// A rank whose part is empty (a short last batch) contributes nothing, and logs zeros with
/// weight zero. `synchronize()`, called by fit after on_train_begin (where backup_and_restore
/// resumes), copies rank 0's learner to every rank, before the first step.
///
/// Needs the split step (`forward_backward`, `apply_gradients`), `gradients()` and `parameters()`:
/// averaging weights after a fused `train_step` is not the same for Adam or momentum.
template <class Learner, communicator Comm>
class data_parallel {
  static_assert(requires(Learner& l) {
    l.apply_gradients();
    l.gradients()[0].size();
    l.parameters()[0].size();
  }, "cue: data_parallel needs the learner's split step (forward_backward and apply_gradients), gradients() "
     "and parameters() (spans of its gradients and weights): it averages the gradients of all ranks between "
     "backward and update (averaging weights after train_step is not the same for Adam or momentum), and "
     "broadcasts rank 0's weights before the first step");

 public:
  data_parallel(Learner& learner, Comm& comm) : learner_(&learner), comm_(&comm) {}

  template <class Batch>
  auto forward_backward(const Batch& batch) {
    using logs_type = decltype(learner_->forward_backward(batch));
    const std::size_t samples = samples_in(batch);
    logs_type logs{};
    if (samples > 0) logs = learner_->forward_backward(batch);
    // The global batch's samples first, so that each rank weighs its gradients by samples / total
    // where they are and the sum over the ranks is the weighted mean itself: one pass over the
    // gradients, and no copy of them, before the sum. The same sum counts the ranks that have a
    // batch: a rank whose data ended sends 0 there (end_of_batches), and all stop together.
    ++batches_;
    double head[2] = {static_cast<double>(samples), 1.0};
    comm_->allreduce_sum(std::span<double>(head));
    if (head[1] != comm_->size()) uneven(false);
    const double total = head[0];
    const auto weight = total > 0 ? static_cast<element>(static_cast<double>(samples) / total) : element{0};
    auto grads = learner_->gradients();
    small_.clear();
    for (auto& g : grads) {
      if (samples > 0)
        for (auto& v : g) v *= weight;
      else
        std::fill(g.begin(), g.end(), element{0});  // not computed this step
      if (g.size() >= sum_in_place_from)
        comm_->allreduce_sum(std::span<element>(g));
      else
        small_.insert(small_.end(), g.begin(), g.end());  // one message for all the small ones
    }
    if (small_.empty()) return logs;
    comm_->allreduce_sum(std::span<element>(small_));
    auto in = small_.cbegin();
    for (auto& g : grads)
      if (g.size() < sum_in_place_from) {
        std::copy_n(in, g.size(), g.begin());
        in += static_cast<std::ptrdiff_t>(g.size());
      }
    return logs;
  }
  void apply_gradients() { learner_->apply_gradients(); }

  /// Called by fit on every rank once its training data for the epoch is over (not after a stop,
  /// which all ranks make together): the collective that matches a step's first, with no batch.
  /// Every rank ends here when all had as many batches; a rank that still had one means they did
  /// not, and every rank then stops with an error naming each one's count (MPI would otherwise
  /// fail with MPI_ERR_TRUNCATE, or hang, with no word of why).
  void end_of_batches() {
    double head[2] = {0.0, 0.0};
    comm_->allreduce_sum(std::span<double>(head));
    if (head[1] != 0) uneven(true);
    batches_ = 0;
  }
  /// A new epoch's batches begin (after a stop, the count of the last is dropped).
  void begin_batches() noexcept { batches_ = 0; }

  template <class Batch>
  auto test_step(const Batch& batch) {
    using logs_type = decltype(learner_->test_step(batch));
    return samples_in(batch) > 0 ? learner_->test_step(batch) : logs_type{};
  }
  template <class Batch>
  auto predict_step(const Batch& batch)
    requires requires(Learner& l) { l.predict_step(batch); }
  {
    return learner_->predict_step(batch);
  }

  /// Makes every rank's learner rank 0's: what its `save` writes (weights and optimizer state:
  /// Adam's moments and step count, a learning rate), copied through the communicator and read
  /// by `load`; only the weights (`parameters()`) for a learner without save/load.
  void synchronize() {
    if (comm_->size() == 1) return;
    if constexpr (requires(Learner& l, const std::filesystem::path& p) {
                    l.save(p);
                    l.load(p);
                  }) {
      const detail::scratch_directory scratch;
      const auto file = scratch.path() / "learner.npz";
      if (comm_->rank() == 0) learner_->save(file);
      broadcast_file(*comm_, file, file);
      if (comm_->rank() != 0) learner_->load(file);
    } else {
      for (auto p : learner_->parameters()) comm_->broadcast(std::as_writable_bytes(p), 0);
    }
  }

  [[nodiscard]] Comm& communicator() const noexcept { return *comm_; }
  [[nodiscard]] Learner& learner() const noexcept { return *learner_; }
  auto gradients() { return learner_->gradients(); }
  auto parameters() { return learner_->parameters(); }

  double learning_rate() const
    requires has_learning_rate<Learner>
  {
    return learner_->learning_rate();
  }
  void set_learning_rate(double lr)
    requires has_learning_rate<Learner>
  {
    learner_->set_learning_rate(lr);
  }
  auto state()
    requires requires(Learner& l) { l.state(); }
  {
    return learner_->state();
  }
  template <class S>
  void load_state(const S& s)
    requires requires(Learner& l) { l.load_state(s); }
  {
    learner_->load_state(s);
  }
  // Files (model_checkpoint, backups): what the learner writes and reads, called on the ranks
  // whose callbacks call them (rank 0 for those wrapped in cue::on_rank_zero).
  template <class Path>
  void save(const Path& p)
    requires requires(Learner& l) { l.save(p); }
  {
    learner_->save(p);
  }
  template <class Path>
  void load(const Path& p)
    requires requires(Learner& l) { l.load(p); }
  {
    learner_->load(p);
  }
  template <class Path>
  void save_weights(const Path& p)
    requires requires(Learner& l) { l.save_weights(p); }
  {
    learner_->save_weights(p);
  }
  template <class Path>
  void load_weights(const Path& p)
    requires requires(Learner& l) { l.load_weights(p); }
  {
    learner_->load_weights(p);
  }
  auto named_weights()
    requires requires(Learner& l) { l.named_weights(); }
  {
    return learner_->named_weights();
  }

 private:
  using element = typename detail::gradient_element<Learner>::type;
  // Samples weigh as in fit's running means: a batch's size(), or 1.
  template <class Batch>
  static std::size_t samples_in(const Batch& b) {
    if constexpr (requires { b.size(); })
      return static_cast<std::size_t>(b.size());
    else
      return 1;
  }
  // The ranks' batch counts, gathered, in an error: a rank whose data ended knows its count; one
  // still training knows it has at least as many as it took.
  [[noreturn]] void uneven(bool ended) {
    const std::string each =
        detail::counts_text(detail::gathered_counts(*comm_, ended ? static_cast<double>(batches_) : -static_cast<double>(batches_)));
    batches_ = 0;
    throw std::runtime_error(
        "cue: the ranks have different numbers of training batches in this epoch (" + each +
        "); data_parallel needs the same number on every rank: cue::data::batches with .rank and .ranks deals "
        "each rank its part of every global batch, and libtorch's DistributedRandomSampler pads the ranks' "
        "shares to one length");
  }

  Learner* learner_;
  Comm* comm_;
  std::size_t batches_ = 0;  // this epoch's steps on this rank
  // Gradients this large are summed where they are; the smaller ones go together in small_.
  static constexpr std::size_t sum_in_place_from = 4096;
  std::vector<element> small_;
};

}  // namespace cue
