// cue::nn::classifier: a model, an optimizer and softmax cross-entropy, as a cue learner with
// every capability of the contract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include <cue/data/dataset.hpp>
#include <cue/io/checkpoint.hpp>
#include <cue/logs.hpp>
#include <cue/nn/denormals.hpp>
#include <cue/nn/losses.hpp>

namespace cue::nn {

/// Trains `Model` (e.g. a `sequential`) with `Optimizer` (`sgd`, `adam`) on integer labels.
/// Logs `loss` and `accuracy`. It has the split step (so callbacks can clip gradients between
/// backward and update), `gradients()`, `state()`/`load_state()`, `save`/`load` (weights and
/// optimizer state), `save_weights`/`load_weights` (weights only), all in cue's checkpoint
/// format (.npz files numpy can read), and `learning_rate()`/`set_learning_rate()`. Its steps run with denormals flushed
/// to zero (`flush_denormals`), as TensorFlow's do.
template <class Model, class Optimizer>
class classifier {
 public:
  using logs_type = cue::logs<"loss", "accuracy">;
  /// An in-memory copy of the weights.
  using snapshot = std::vector<std::vector<float>>;

  classifier(Model model, Optimizer optimizer)
      : model_(std::move(model)), optimizer_(std::move(optimizer)) {}

  logs_type forward_backward(const data::batch& b) {
    const flush_denormals ftz;
    const auto& logits = model_.forward(b.x);
    const auto r = softmax_cross_entropy(logits, b.y, &dlogits_);
    model_.backward(dlogits_);
    return {r.loss, r.accuracy};
  }
  void apply_gradients() {
    const flush_denormals ftz;
    optimizer_.apply(model_.parameters(), model_.gradients());
  }
  logs_type train_step(const data::batch& b) {
    const auto logs = forward_backward(b);
    apply_gradients();
    return logs;
  }
  logs_type test_step(const data::batch& b) {
    const flush_denormals ftz;
    const auto r = softmax_cross_entropy(model_.forward(b.x), b.y);
    return {r.loss, r.accuracy};
  }
  /// The predicted class of each example.
  std::vector<std::int32_t> predict_step(const data::batch& b) {
    const flush_denormals ftz;
    const auto& logits = model_.forward(b.x);
    const std::size_t n = logits.shape()[0], k = logits.shape()[1];
    std::vector<std::int32_t> out(n);
    for (std::size_t r = 0; r < n; ++r) {
      std::size_t best = 0;
      for (std::size_t c = 1; c < k; ++c)
        if (logits(r, c) > logits(r, best)) best = c;
      out[r] = static_cast<std::int32_t>(best);
    }
    return out;
  }

  std::vector<std::span<float>> gradients() { return model_.gradients(); }
  /// The weights themselves, aligned with gradients() (cue::data_parallel broadcasts them).
  std::vector<std::span<float>> parameters() { return model_.parameters(); }

  /// The weights by Keras's paths (`sequential/dense/kernel`, ...), for TensorBoard's histograms.
  auto named_weights()
    requires requires(Model& m) { m.named_parameters(); }
  {
    return model_.named_parameters();
  }

  snapshot state() {
    snapshot s;
    for (auto p : model_.parameters()) s.emplace_back(p.begin(), p.end());
    return s;
  }
  void load_state(const snapshot& s) {
    auto params = model_.parameters();
    if (s.size() != params.size()) throw std::invalid_argument("cue: classifier::load_state: wrong number of arrays");
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (s[i].size() != params[i].size())
        throw std::invalid_argument("cue: classifier::load_state: array " + std::to_string(i) + " has the wrong size");
      std::copy(s[i].begin(), s[i].end(), params[i].begin());
    }
  }

  /// Files in cue's format (kind "weights" or "learner"); `load` refuses a weights-only file,
  /// `load_weights` reads either. Nothing changes when a file does not fit.
  void save_weights(const std::filesystem::path& p) {
    io::save_checkpoint(p, {"weights", weight_arrays(), {}});
  }
  void load_weights(const std::filesystem::path& p) {
    const auto c = io::load_checkpoint(p);
    if (c.kind != "weights" && c.kind != "learner")
      throw std::runtime_error("cue: " + p.string() + " holds a " + c.kind + " file, not a learner's weights");
    assign_weights(staged_weights(c));
  }
  void save(const std::filesystem::path& p) {
    io::checkpoint c{"learner", weight_arrays(), {}};
    optimizer_.save_state(c);
    io::save_checkpoint(p, c);
  }
  void load(const std::filesystem::path& p) {
    const auto c = io::load_checkpoint(p);
    if (c.kind == "weights")
      throw std::runtime_error("cue: " + p.string() + " holds weights only (save_weights wrote it); "
                               "read it with load_weights, or save with save() to keep the optimizer");
    if (c.kind != "learner") throw std::runtime_error("cue: " + p.string() + " holds a " + c.kind + " file, not a learner");
    auto staged = staged_weights(c);
    optimizer_.load_state(c, model_.parameters());  // checked before any weight changes
    assign_weights(std::move(staged));
  }

  [[nodiscard]] double learning_rate() const noexcept { return optimizer_.learning_rate(); }
  void set_learning_rate(double lr) { optimizer_.set_learning_rate(lr); }

  /// FNV-1a over the bytes of every weight: equal digests, equal weights (for reproducibility).
  [[nodiscard]] std::string weights_digest() {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (auto p : model_.parameters()) {
      const auto* bytes = reinterpret_cast<const unsigned char*>(p.data());
      for (std::size_t i = 0; i < p.size_bytes(); ++i) {
        h ^= bytes[i];
        h *= 0x100000001b3ULL;
      }
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }

  Model& model() noexcept { return model_; }
  Optimizer& optimizer() noexcept { return optimizer_; }

 private:
  std::map<std::string, xt::xarray<float>> weight_arrays() {
    std::map<std::string, xt::xarray<float>> out;
    const auto shapes = model_.shapes();
    const auto params = model_.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      xt::xarray<float> a = xt::xarray<float>::from_shape(shapes[i]);
      std::copy(params[i].begin(), params[i].end(), a.begin());
      char name[32];
      std::snprintf(name, sizeof name, "param_%03zu", i);
      out[name] = std::move(a);
    }
    return out;
  }
  // Every weight array of `c`, checked against the model's shapes before anything is assigned.
  std::vector<std::vector<float>> staged_weights(const io::checkpoint& c) {
    const auto shapes = model_.shapes();
    std::vector<std::vector<float>> staged;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "param_%03zu", i);
      const auto it = c.arrays.find(name);
      if (it == c.arrays.end()) throw std::runtime_error("cue: " + c.source.string() + ": no array " + name);
      const std::vector<std::size_t> shape(it->second.shape().begin(), it->second.shape().end());
      if (shape != shapes[i])
        throw std::runtime_error("cue: " + c.source.string() + ": array " + name + " has shape " +
                                 describe(shape) + ", the model expects " + describe(shapes[i]));
      staged.emplace_back(it->second.begin(), it->second.end());
    }
    return staged;
  }
  void assign_weights(const std::vector<std::vector<float>>& staged) {
    auto params = model_.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) std::copy(staged[i].begin(), staged[i].end(), params[i].begin());
  }
  static std::string describe(const std::vector<std::size_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + ")";
  }

  Model model_;
  Optimizer optimizer_;
  xt::xtensor<float, 2> dlogits_;
};

}  // namespace cue::nn
