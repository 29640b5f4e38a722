// cue::torch::from_loader: a libtorch data loader (torch::data::make_data_loader) as cue data, so
// that cue::fit, evaluate and predict iterate it, and a killed run resumes its order exactly.
// Target cue::torch (libtorch-dev).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <torch/torch.h>

#include <cue/state.hpp>
#include <cue/torch/learner.hpp>

namespace cue::torch {

namespace detail {
// torch's default CPU generator, which RandomSampler (and dropout, and initialisation) draw from.
inline std::string generator_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  const std::lock_guard<std::mutex> lock(generator.mutex());
  const auto bytes = generator.get_state();
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  const auto* p = bytes.data_ptr<std::uint8_t>();
  for (std::int64_t i = 0; i < bytes.numel(); ++i) hex += {digits[p[i] >> 4], digits[p[i] & 15]};
  return hex;
}
inline void set_generator_state(const std::string& hex) {
  const auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::runtime_error("cue: torch::from_loader: a backup's generator state is not hexadecimal");
  };
  if (hex.empty() || hex.size() % 2 != 0)
    throw std::runtime_error("cue: torch::from_loader: a backup's generator state has an odd or zero length");
  auto bytes = ::torch::empty({static_cast<std::int64_t>(hex.size() / 2)}, ::torch::kUInt8);
  auto* p = bytes.data_ptr<std::uint8_t>();
  for (std::size_t i = 0; i < hex.size(); i += 2)
    p[i / 2] = static_cast<std::uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  auto generator = at::detail::getDefaultCPUGenerator();
  const std::lock_guard<std::mutex> lock(generator.mutex());
  try {
    generator.set_state(bytes);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw std::runtime_error("cue: torch::from_loader: a backup's generator state does not fit this libtorch's "
                             "generator: " + what.substr(0, what.find('\n')));
  }
}

template <class Loader>
using loader_batch = std::remove_cvref_t<decltype(*std::declval<Loader&>().begin())>;
}  // namespace detail

/// A libtorch data loader's batches as cue::torch::batch, one epoch per pass (range-for), for
/// cue::fit, evaluate and predict:
///
///     auto loader = torch::data::make_data_loader(
///         MyDataset().map(torch::data::transforms::Stack<>()), torch::data::DataLoaderOptions(32));
///     cue::fit(model, cue::torch::from_loader(*loader), {.epochs = 10}, callbacks);
///
/// The loader must yield stacked batches (`torch::data::Example<>`: map the dataset with
/// `torch::data::transforms::Stack<>()`). libtorch's iterators lack post-increment, so they are
/// not C++20 ranges; this view adds what cue needs and nothing else.
///
/// Its state (for backup_and_restore, which tracks fit's training data) is that of torch's default
/// CPU generator, which a RandomSampler draws each epoch's order from: while an epoch is under way,
/// the generator as it was when the epoch's order was drawn and as it is now. A resumed run draws
/// the same order, skips the batches done, and goes on with the generator where the cut left it,
/// so dropout draws the same too. A dataset that draws random numbers in worker threads
/// (`DataLoaderOptions::workers`) is not reproducible, by libtorch or by this.
///
/// It does not split the data by rank: in a data-parallel fit, give each rank's loader libtorch's
/// `DistributedRandomSampler(size, ranks, rank)` (`DistributedSequentialSampler` for validation),
/// which pads every rank's share to one length, as PyTorch's DistributedSampler does; ranks with
/// different numbers of batches stop with an error naming each rank's count.
template <class Loader>
class from_loader {
  using source_iterator = decltype(std::declval<Loader&>().begin());
  static constexpr bool stacked = std::is_same_v<detail::loader_batch<Loader>, ::torch::data::Example<>>;
  static_assert(stacked,
                "cue: torch::from_loader needs a loader of stacked batches (torch::data::Example<>); map "
                "the dataset with torch::data::transforms::Stack<>() before make_data_loader");

 public:
  explicit from_loader(Loader& loader) : loader_(&loader) {}

  class iterator {
   public:
    using value_type = batch;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(source_iterator at, source_iterator end, const from_loader* owner)
        : at_(std::move(at)), end_(std::move(end)), owner_(owner) {}
    batch operator*() const {
      if constexpr (stacked) {  // else the static_assert above is the one error
        auto& example = **at_;
        return {example.data, example.target};
      } else {
        return {};
      }
    }
    iterator& operator++() {
      ++*at_;
      return *this;
    }
    void operator++(int) { ++*this; }
    // The loop's one comparison per batch; at the end it notes the epoch complete, so that the
    // state no longer deals this epoch again.
    bool operator==(std::default_sentinel_t) const {
      if (at_ && !(*at_ == *end_)) return false;
      if (owner_ != nullptr) owner_->dealing_ = false;
      return true;
    }

   private:
    // mutable: torch's operator* and operator-> are not const
    mutable std::optional<source_iterator> at_;
    std::optional<source_iterator> end_;
    const from_loader* owner_ = nullptr;
  };

  /// Starts an epoch: the loader's begin(), which resets its sampler.
  iterator begin() const {
    const auto resumed = std::exchange(resume_, std::nullopt);
    epoch_begin_ = resumed ? resumed->first : detail::generator_state();
    if (resumed) detail::set_generator_state(epoch_begin_);
    auto at = loader_->begin();  // draws the epoch's order
    if (resumed) detail::set_generator_state(resumed->second);  // where the cut left it
    dealing_ = true;
    return iterator(std::move(at), loader_->end(), this);
  }
  std::default_sentinel_t end() const { return {}; }

  /// The name its state is kept under in a backup.
  [[nodiscard]] static std::string state_key() { return "torch_data_loader"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    cue::state_dict d{{"generator", detail::generator_state()}};
    if (dealing_) d["epoch_generator"] = epoch_begin_;
    return d;
  }
  /// Sets torch's generator as the backup had it; inside an epoch, the next begin() draws that
  /// epoch's order again.
  void load_state_dict(const cue::state_dict& d) {
    const auto& now = cue::state::at(d, "generator", state_key());
    if (const auto at = d.find("epoch_generator"); at != d.end()) {
      resume_.emplace(at->second, now);
    } else {
      resume_.reset();
      detail::set_generator_state(now);
    }
    dealing_ = false;
  }

 private:
  Loader* loader_;
  mutable std::string epoch_begin_;
  mutable bool dealing_ = false;
  mutable std::optional<std::pair<std::string, std::string>> resume_;
};

}  // namespace cue::torch
