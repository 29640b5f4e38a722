// Test doubles shared by the tests: small learners and a callback that records every hook.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <iterator>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

#include <cue/logs.hpp>
#include <cue/typed_events.hpp>

namespace cue_test {

/// Standard output, captured while it lives (the callbacks' verbose messages, the progress bar).
class captured_stdout {
 public:
  captured_stdout() : old_(std::cout.rdbuf(text_.rdbuf())) {}
  captured_stdout(const captured_stdout&) = delete;
  captured_stdout& operator=(const captured_stdout&) = delete;
  ~captured_stdout() { std::cout.rdbuf(old_); }
  [[nodiscard]] std::string str() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::streambuf* old_;
};

/// The small tmpfs that tests/CMakeLists.txt mounts in a private mount namespace for the tests
/// of a full disk, named in CUE_FULL_DISK.
inline std::filesystem::path full_disk() {
  const char* dir = std::getenv("CUE_FULL_DISK");
  if (dir == nullptr) throw std::runtime_error("CUE_FULL_DISK is not set (run through ctest)");
  return dir;
}

/// A file's bytes (empty when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// An empty directory, created, under the system's temporary one: `name` and this process's id.
inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// A batch whose value becomes its loss; size() makes it weigh `samples` in running means.
struct batch {
  double value = 0;
  std::size_t samples = 1;
  [[nodiscard]] std::size_t size() const { return samples; }
};

/// A range that makes batches 1, 2, ..., n on the fly, as a dataset class would (not a container).
struct generated_batches {
  int n;
  struct iterator {
    using value_type = batch;
    using difference_type = std::ptrdiff_t;
    int i;
    batch operator*() const { return {static_cast<double>(i)}; }
    iterator& operator++() {
      ++i;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++i;
      return old;
    }
    bool operator==(const iterator&) const = default;
  };
  [[nodiscard]] iterator begin() const { return {1}; }
  [[nodiscard]] iterator end() const { return {n + 1}; }
};

/// Trains by counting; loss is the batch value, accuracy its half. Can be told to throw.
struct learner {
  int trained = 0;
  int throw_at_step = -1;
  cue::logs<"loss", "accuracy"> train_step(const batch& b) {
    if (trained == throw_at_step) throw std::runtime_error("step failed");
    ++trained;
    return {b.value, b.value / 2};
  }
  cue::logs<"loss", "accuracy"> test_step(const batch& b) { return {10 * b.value, 1.0}; }
  double predict_step(const batch& b) { return -b.value; }
};

/// The split step only: forward_backward then apply_gradients.
struct split_learner {
  int forward = 0, applied = 0;
  cue::logs<"loss"> forward_backward(const batch& b) {
    ++forward;
    return {b.value};
  }
  void apply_gradients() { ++applied; }
  cue::logs<"loss"> test_step(const batch& b) { return {b.value}; }
};

/// With one batch per epoch, plays back a validation loss per epoch; its weights are the index
/// of the last epoch trained, so a restore is visible. Has every optional capability.
struct scripted_learner {
  std::vector<double> val_loss{};
  int weights = -1;
  double lr = 0.1;
  std::vector<int> loaded{};  // every load_state argument
  cue::logs<"loss"> train_step(const batch&) {
    ++weights;
    return {1.0};
  }
  cue::logs<"loss"> test_step(const batch&) { return {val_loss.at(static_cast<std::size_t>(weights))}; }
  int state() const { return weights; }
  void load_state(int w) {
    weights = w;
    loaded.push_back(w);
  }
  double learning_rate() const { return lr; }
  void set_learning_rate(double v) { lr = v; }
  void save(const std::filesystem::path& p) const { std::ofstream(p) << "model " << weights; }
  void load(const std::filesystem::path&) {}
  void save_weights(const std::filesystem::path& p) const { std::ofstream(p) << "weights " << weights; }
  void load_weights(const std::filesystem::path&) {}
};

/// A split learner with gradients: forward_backward sets the gradients to `next_grads`;
/// apply_gradients records what it was given.
struct grad_learner {
  std::vector<float> grads{};
  std::vector<float> next_grads{};
  std::vector<std::vector<float>> applied{};
  cue::logs<"loss"> forward_backward(const batch& b) {
    grads = next_grads;
    return {b.value};
  }
  std::vector<std::span<float>> gradients() { return {std::span<float>(grads)}; }
  void apply_gradients() { applied.push_back(grads); }
};

/// Appends "name" or "name:epoch" or "name:epoch:batch" for every event it hears.
struct recorder {
  std::vector<std::string>* out;
  std::string tag;  // prefixed, to tell several recorders apart

  void put(std::string_view s) const {
    std::string line = tag;
    line += s;
    out->push_back(std::move(line));
  }
  void put_epoch(std::string_view n, const auto& ctx) const {
    std::string line(n);
    line += ':';
    line += std::to_string(ctx.epoch());
    put(line);
  }
  void put_batch(std::string_view n, const auto& ctx) const {
    std::string line(n);
    line += ':';
    line += std::to_string(ctx.epoch());
    line += ':';
    line += std::to_string(ctx.batch());
    put(line);
  }

  void on_train_begin(auto&) { put("train_begin"); }
  void on_train_end(auto&) { put("train_end"); }
  void on_epoch_begin(auto& ctx) { put_epoch("epoch_begin", ctx); }
  void on_epoch_end(auto& ctx) { put_epoch("epoch_end", ctx); }
  void on_train_batch_begin(auto& ctx) { put_batch("train_batch_begin", ctx); }
  void on_train_batch_end(auto& ctx) { put_batch("train_batch_end", ctx); }
  void on_test_begin(auto&) { put("test_begin"); }
  void on_test_end(auto&) { put("test_end"); }
  void on_test_batch_begin(auto& ctx) { put_batch("test_batch_begin", ctx); }
  void on_test_batch_end(auto& ctx) { put_batch("test_batch_end", ctx); }
  void on_predict_begin(auto&) { put("predict_begin"); }
  void on_predict_end(auto&) { put("predict_end"); }
  void on_predict_batch_begin(auto& ctx) { put_batch("predict_batch_begin", ctx); }
  void on_predict_batch_end(auto& ctx) { put_batch("predict_batch_end", ctx); }
  void on_exception(auto&) { put("exception"); }
};

/// A recorder that also hears on_after_backward, which only split learners emit (a callback that
/// handles it is a compile error with a fused learner).
struct split_recorder : recorder {
  void on_after_backward(auto& ctx) { put_batch("after_backward", ctx); }
};

/// Listens to typed events `Es...` and keeps a copy of each, in order; a check set with
/// `when<E>(f)` runs on each E as it arrives (to look at the world at that moment).
template <class... Es>
struct event_log {
  using listens = cue::listens<Es...>;
  std::tuple<std::vector<Es>...> seen;
  std::tuple<std::function<void(const Es&)>...> checks;
  template <class E>
    requires(std::is_same_v<E, Es> || ...)
  void on(const E& e, auto&) {
    if (const auto& check = std::get<std::function<void(const E&)>>(checks)) check(e);
    std::get<std::vector<E>>(seen).push_back(e);
  }
  template <class E>
  void when(std::function<void(const E&)> check) {
    std::get<std::function<void(const E&)>>(checks) = std::move(check);
  }
  template <class E>
  [[nodiscard]] const std::vector<E>& of() const {
    return std::get<std::vector<E>>(seen);
  }
};

/// Throws "power cut" at the end of batch `batch` of epoch `epoch` (listed after a backup, it
/// crashes a run just after the backup saw that batch).
struct crash_at_batch {
  int epoch;
  std::size_t batch;
  void on_train_batch_end(auto& ctx) {
    if (ctx.epoch() == epoch && ctx.batch() == batch) throw std::runtime_error("power cut");
  }
};

}  // namespace cue_test
