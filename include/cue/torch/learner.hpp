// cue::torch::learner: a libtorch module, optimizer and loss as a cue learner, so that cue::fit and
// every built-in callback train PyTorch C++ frontend models. Target cue::torch (libtorch-dev).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include <cue/fixed_string.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/logs.hpp>
#include <cue/state.hpp>

namespace cue::torch {

/// A batch of inputs and their targets; its size (the first dimension) weighs the running means.
struct batch {
  ::torch::Tensor x, y;
  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(x.size(0)); }
};

/// The fraction of rows whose largest output is the target class (Keras's sparse accuracy).
struct accuracy {
  static constexpr fixed_string name = "accuracy";
  double operator()(const ::torch::Tensor& output, const ::torch::Tensor& target) const {
    // counted, then divided here: one tensor operation fewer per batch than a mean of doubles
    const auto correct = output.argmax(1).eq(target).sum().item<std::int64_t>();
    return static_cast<double>(correct) / static_cast<double>(target.size(0));
  }
};

namespace detail {
// What a metric is: a `name` usable as a log's name, and `double operator()(output, target)`; a
// named constant, so that a failed check names the type in the note under it.
template <class M>
inline constexpr bool is_a_metric = requires(M& m, const ::torch::Tensor& t) {
  typename cue::logs<M::name>;
  { m(t, t) } -> std::convertible_to<double>;
};
template <class M>
consteval auto metric_name() {
  if constexpr (requires { typename cue::logs<M::name>; })
    return M::name;
  else
    return fixed_string{"?"};  // not a metric: its one error is the check below
}
template <class M>
consteval bool check_metric() {
  static_assert(is_a_metric<M>,
                "cue: torch::learner was given a metric that is none (the type: in the note below); a metric "
                "has `static constexpr cue::fixed_string name = \"...\";` and `double operator()(const "
                "torch::Tensor& output, const torch::Tensor& target) const`, as cue::torch::accuracy");
  return true;
}
}  // namespace detail

/// Trains `module` (any `torch::nn::Module` holder: `torch::nn::Sequential`, a `TORCH_MODULE`, or a
/// `std::shared_ptr` to one) with `optimizer` on `loss(output, target)`, a scalar tensor, logging
/// `loss` and each metric by its name (`cue::torch::accuracy`, or a type with a `name` and
/// `double operator()(output, target)`).
///
/// It has the split step (forward and backward, then the optimizer's step, so on_after_backward
/// callbacks such as clip_grad_norm act on torch's gradients), `test_step` and `predict_step` in
/// eval mode without autograd, `gradients()` and `parameters()` (float32 CPU tensors seen as
/// spans), the learning rate of the optimizer's parameter groups, `state()`/`load_state()` (the
/// weights and buffers in memory: restoring them does not roll back the optimizer, as in Keras),
/// `save`/`load` (weights and optimizer) and `save_weights`/`load_weights` (weights: a file
/// `torch::load(module, path)` reads), and `named_weights()` for TensorBoard's histograms.
template <class Module, class Optimizer, class Loss, class... Metrics>
class learner {
  static_assert((detail::check_metric<Metrics>() && ...));

 public:
  using logs_type = cue::logs<"loss", detail::metric_name<Metrics>()...>;
  /// The weights and buffers, copied.
  using snapshot = std::vector<::torch::Tensor>;

  learner(Module module, Optimizer optimizer, Loss loss, Metrics... metrics)
      : module_(std::move(module)), optimizer_(std::move(optimizer)), loss_(std::move(loss)), metrics_(metrics...) {
    if (module_->parameters().empty())
      throw std::invalid_argument("cue: torch::learner: the module has no parameters, so there is nothing to train; "
                                  "register them in the module (register_parameter, register_module)");
  }

  logs_type forward_backward(const batch& b) {
    if (!module_->is_training()) module_->train();
    optimizer_.zero_grad();
    const auto output = module_->forward(b.x);
    const auto loss = checked(loss_(output, b.y));
    loss.backward();
    const ::torch::NoGradGuard no_grad;
    return logs_of(loss, output, b.y);
  }
  void apply_gradients() { optimizer_.step(); }

  logs_type test_step(const batch& b) {
    const ::torch::NoGradGuard no_grad;
    if (module_->is_training()) module_->eval();
    const auto output = module_->forward(b.x);
    return logs_of(checked(loss_(output, b.y)), output, b.y);
  }
  /// The module's output for the batch, in eval mode.
  ::torch::Tensor predict_step(const batch& b) {
    const ::torch::NoGradGuard no_grad;
    if (module_->is_training()) module_->eval();
    return module_->forward(b.x);
  }

  /// The gradients of the last backward pass, one span per parameter (zeros for a parameter the
  /// forward pass did not use).
  std::vector<std::span<float>> gradients() {
    std::vector<std::span<float>> out;
    for (auto& p : module_->parameters()) {
      if (!p.grad().defined()) p.mutable_grad() = ::torch::zeros_like(p);
      out.push_back(as_span(p.mutable_grad(), "gradient"));
    }
    return out;
  }
  /// The weights themselves, aligned with gradients() (cue::data_parallel broadcasts them).
  std::vector<std::span<float>> parameters() {
    std::vector<std::span<float>> out;
    for (auto& p : module_->parameters()) out.push_back(as_span(p, "parameter"));
    return out;
  }
  /// The weights by libtorch's names (`0.weight`, `fc1.bias`, ...), for TensorBoard's histograms.
  std::vector<std::pair<std::string, std::span<const float>>> named_weights() {
    std::vector<std::pair<std::string, std::span<const float>>> out;
    for (auto& p : module_->named_parameters()) out.emplace_back(p.key(), as_span(p.value(), "parameter"));
    return out;
  }

  /// The first parameter group's learning rate; setting it sets every group's.
  [[nodiscard]] double learning_rate() const { return optimizer_.param_groups().at(0).options().get_lr(); }
  void set_learning_rate(double lr) {
    for (auto& group : optimizer_.param_groups()) group.options().set_lr(lr);
  }

  snapshot state() {
    snapshot s;
    for (const auto& t : tensors()) s.push_back(t.detach().clone());
    return s;
  }
  void load_state(const snapshot& s) {
    auto own = tensors();
    if (s.size() != own.size())
      throw std::invalid_argument("cue: torch::learner::load_state: the snapshot holds " + std::to_string(s.size()) +
                                  " tensors, the module " + std::to_string(own.size()));
    for (std::size_t i = 0; i < own.size(); ++i)
      if (!s[i].sizes().equals(own[i].sizes()))
        throw std::invalid_argument("cue: torch::learner::load_state: tensor " + std::to_string(i) +
                                    " has another shape than the module's");
    const ::torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < own.size(); ++i) own[i].copy_(s[i]);
  }

  /// The weights alone, as `torch::save(module, path)` writes them (atomically: a crash leaves the
  /// previous file).
  void save_weights(const std::filesystem::path& p) {
    ::torch::serialize::OutputArchive archive;
    module_->save(archive);
    write(archive, p);
  }
  /// Reads what save_weights or save wrote; nothing changes when it does not fit the module.
  void load_weights(const std::filesystem::path& p) {
    ::torch::serialize::InputArchive archive;
    open(archive, p);
    assign(staged(archive, p));
  }
  /// The weights and, under the key `optimizer`, the optimizer's state (Adam's moments and steps).
  void save(const std::filesystem::path& p) {
    ::torch::serialize::OutputArchive archive, optimizer;
    module_->save(archive);
    optimizer_.save(optimizer);
    archive.write("optimizer", optimizer);
    write(archive, p);
  }
  /// Reads what save wrote, refusing a file without the optimizer's state (save_weights'); nothing
  /// changes when it does not fit.
  void load(const std::filesystem::path& p) {
    ::torch::serialize::InputArchive archive, optimizer;
    open(archive, p);
    if (!archive.try_read("optimizer", optimizer))
      throw std::runtime_error("cue: " + p.string() + " holds weights only (save_weights wrote it); read it with "
                               "load_weights, or save with save() to keep the optimizer");
    auto weights = staged(archive, p);
    const auto kept = state();
    std::stringstream before;  // the optimizer's state, to put back if the file's does not fit
    {
      ::torch::serialize::OutputArchive a;
      optimizer_.save(a);
      a.save_to(before);
    }
    assign(weights);
    try {
      optimizer_.load(optimizer);
    } catch (const std::exception& e) {
      load_state(kept);
      ::torch::serialize::InputArchive back;
      back.load_from(before);
      optimizer_.load(back);
      throw std::runtime_error("cue: " + p.string() + ": its optimizer state does not fit this learner's: " +
                               first_line(e.what()));
    }
  }

  Module& module() noexcept { return module_; }
  Optimizer& optimizer() noexcept { return optimizer_; }

 private:
  ::torch::Tensor checked(::torch::Tensor loss) const {
    if (loss.dim() != 0)
      throw std::invalid_argument("cue: torch::learner: the loss returned a tensor of " + std::to_string(loss.dim()) +
                                  " dimensions, where a scalar is needed to train on; reduce it (mean or sum, as "
                                  "torch::nn losses do by default)");
    return loss;
  }
  logs_type logs_of(const ::torch::Tensor& loss, const ::torch::Tensor& output, const ::torch::Tensor& target) {
    if constexpr ((detail::is_a_metric<Metrics> && ...))
      return std::apply([&](auto&... m) { return logs_type{loss.item<double>(), m(output, target)...}; }, metrics_);
    else
      return {};
  }
  static std::span<float> as_span(const ::torch::Tensor& t, const char* what) {
    if (t.scalar_type() != ::torch::kFloat || !t.is_cpu() || !t.is_contiguous())
      throw std::invalid_argument(std::string("cue: torch::learner: a ") + what +
                                  " is not a contiguous float32 CPU tensor, which gradients() and parameters() "
                                  "need");
    return {t.data_ptr<float>(), static_cast<std::size_t>(t.numel())};
  }
  std::vector<::torch::Tensor> tensors() {
    auto all = module_->parameters();
    for (auto& b : module_->buffers()) all.push_back(b);
    return all;
  }
  // Through a stream, not save_to(path): torch names the archive inside the zip after the file,
  // which would be the temporary one, so the same weights would not give the same bytes.
  static void write(::torch::serialize::OutputArchive& archive, const std::filesystem::path& p) {
    io::write_atomically(p, [&](const std::filesystem::path& tmp) {
      std::ofstream file(tmp, std::ios::binary);
      archive.save_to(file);
      if (!file.flush()) throw std::runtime_error("cue: could not write " + tmp.string());
    });
  }
  static void open(::torch::serialize::InputArchive& archive, const std::filesystem::path& p) {
    try {
      archive.load_from(p.string());
    } catch (const std::exception& e) {
      throw std::runtime_error("cue: " + p.string() + " is not a file torch::save wrote: " + first_line(e.what()));
    }
  }
  using staging = std::vector<std::pair<::torch::Tensor, ::torch::Tensor>>;  // (the module's, the file's)
  // Every parameter and buffer of the module read from `archive` and checked against its shape,
  // before anything changes (torch's Module::load would take on the file's shapes).
  staging staged(::torch::serialize::InputArchive& archive, const std::filesystem::path& p) {
    staging out;
    try {
      stage(*module_, archive, "", out);
    } catch (const std::exception& e) {
      throw std::runtime_error("cue: " + p.string() + " does not fit this learner: " + first_line(e.what()));
    }
    return out;
  }
  // As Module::save nests them: the module's own tensors by name, then each child's archive.
  static void stage(::torch::nn::Module& m, ::torch::serialize::InputArchive& archive, const std::string& prefix,
                    staging& out) {
    const auto one = [&](const std::string& name, const ::torch::Tensor& own, bool is_buffer) {
      ::torch::Tensor t;
      if (!archive.try_read(name, t, is_buffer)) throw std::runtime_error("it has no tensor " + prefix + name);
      if (!t.sizes().equals(own.sizes()))
        throw std::runtime_error("its " + prefix + name + " has shape " + describe(t.sizes()) + ", the module's " +
                                 describe(own.sizes()));
      out.emplace_back(own, t);
    };
    for (const auto& p : m.named_parameters(/*recurse=*/false)) one(p.key(), p.value(), false);
    for (const auto& b : m.named_buffers(/*recurse=*/false)) one(b.key(), b.value(), true);
    for (const auto& c : m.named_children()) {
      ::torch::serialize::InputArchive child;
      if (!archive.try_read(c.key(), child)) throw std::runtime_error("it has no module " + prefix + c.key());
      stage(*c.value(), child, prefix + c.key() + ".", out);
    }
  }
  static void assign(const staging& weights) {
    const ::torch::NoGradGuard no_grad;
    for (const auto& [own, read] : weights) own.copy_(read);  // in place: the optimizer holds these tensors
  }
  static std::string describe(::torch::IntArrayRef sizes) {
    std::string s = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
    return s + "]";
  }
  static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

  Module module_;
  Optimizer optimizer_;
  Loss loss_;
  std::tuple<Metrics...> metrics_;
};

}  // namespace cue::torch

/// A torch learner's snapshot in a backup (early_stopping's best weights across a resume): each
/// tensor's type, shape and values, exactly (floats with the digits that round-trip them, other
/// types through double, exact for the integers buffers count with).
template <>
struct cue::snapshot_codec<std::vector<::torch::Tensor>> {
  static state_dict save(const std::vector<::torch::Tensor>& s) {
    state_dict d{{"count", std::to_string(s.size())}};
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto key = std::to_string(i);
      std::string shape;
      for (const auto n : s[i].sizes()) shape += std::to_string(n) + " ";
      d[key + ".shape"] = shape;
      d[key + ".type"] = std::to_string(static_cast<int>(s[i].scalar_type()));
      if (s[i].scalar_type() == ::torch::kFloat) {
        const auto t = s[i].contiguous();
        d[key] = state::numbers(std::span<const float>(t.data_ptr<float>(), static_cast<std::size_t>(t.numel())));
      } else {
        const auto t = s[i].to(::torch::kDouble).contiguous();
        d[key] = state::numbers(std::span<const double>(t.data_ptr<double>(), static_cast<std::size_t>(t.numel())));
      }
    }
    return d;
  }
  static std::vector<::torch::Tensor> load(const state_dict& d) {
    std::vector<::torch::Tensor> out;
    for (std::size_t i = 0, n = state::to_count(state::at(d, "count", "a torch snapshot")); i < n; ++i) {
      const auto key = std::to_string(i);
      std::vector<std::int64_t> shape;
      std::istringstream words(state::at(d, key + ".shape", "a torch snapshot"));
      for (std::string w; words >> w;) shape.push_back(state::to_integer<std::int64_t>(w));
      const auto type = static_cast<::torch::ScalarType>(state::to_integer<int>(state::at(d, key + ".type", "a torch snapshot")));
      auto values = state::to_numbers<double>(state::at(d, key, "a torch snapshot"));
      auto t = ::torch::tensor(values, ::torch::kDouble);
      if (t.numel() != c10::multiply_integers(shape))
        throw std::runtime_error("cue: a torch snapshot's tensor " + key + " has the wrong number of values");
      out.push_back(t.reshape(shape).to(type));
    }
    return out;
  }
};
