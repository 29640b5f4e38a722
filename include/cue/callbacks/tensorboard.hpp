// cue::tensorboard: Keras's TensorBoard callback: event files TensorBoard reads, written off the
// training thread.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <ranges>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <cue/context.hpp>
#include <cue/io/tf_event.hpp>
#include <cue/io/tfrecord.hpp>
#include <cue/learner.hpp>
#include <cue/options.hpp>
#include <cue/reporter.hpp>
#include <cue/save_frequency.hpp>
#include <cue/worker.hpp>

namespace cue {

/// A hyperparameter's value for TensorBoard's HParams dashboard: a number, a string or a bool.
using hparam_value = io::tf_event::hparam_value;
/// A run's hyperparameters, in order: `{{"learning_rate", 1e-3}, {"optimizer", "adam"}}`.
using hparams = io::tf_event::hparams;

/// Options of `cue::tensorboard`: Keras's, in Keras's order (without those that need TensorFlow's
/// graph, profiler or projector: write_graph, write_images, profile_batch, embeddings_*), then
/// cue's.
struct tensorboard_options {
  std::string log_dir = "logs";
  int histogram_freq = 0;               ///< weight histograms every N epochs (0: none)
  bool write_steps_per_second = false;
  save_frequency update_freq = every_epoch;  ///< `cue::every_epoch`, or batch scalars every N batches
  /// cue's: the run's hyperparameters, for the HParams dashboard (written in log_dir itself).
  cue::hparams hparams{};
  /// cue's: at train end, how long to wait for records still queued (a file system that hangs)
  /// before giving them up, reported.
  std::chrono::duration<double> drain_timeout{10.0};
  std::ostream* log = &std::cerr;  ///< cue's: where what could not be written or drawn is said
};

template <std::same_as<tensorboard_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("tensorboard_options", field{"log_dir", &O::log_dir},
                  field{"histogram_freq", &O::histogram_freq},
                  field{"write_steps_per_second", &O::write_steps_per_second},
                  field{"update_freq", &O::update_freq},
                  field{"hparams", &O::hparams},
                  field{"drain_timeout", &O::drain_timeout});
}

/// `l.named_weights()`: the learner's weights by name (Keras's weight paths, e.g.
/// `sequential/dense/kernel`), as a range of pairs of a name and a contiguous range of numbers.
template <class L>
concept has_named_weights =
    requires(L& l) { requires std::ranges::range<decltype(l.named_weights())>; } &&
    requires(std::ranges::range_reference_t<decltype(std::declval<L&>().named_weights())> w) {
      { w.first } -> std::convertible_to<std::string_view>;
      requires std::ranges::contiguous_range<decltype(w.second)>;
    };

namespace detail {
// One event file, opened by the writer's thread on first use.
class event_file {
 public:
  explicit event_file(std::filesystem::path dir) : dir_(std::move(dir)) {}
  event_file(const event_file&) = delete;
  event_file& operator=(const event_file&) = delete;
  ~event_file() { close(); }

  void write(std::string_view event, double wall_time) {
    if (!file_) open(wall_time);
    std::string record;
    io::append_tfrecord(record, event);
    if (std::fwrite(record.data(), 1, record.size(), file_) != record.size()) fail("cannot write to");
  }
  void flush() {
    if (file_ && std::fflush(file_) != 0) fail("cannot flush");
  }
  void close() {
    if (!file_) return;
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) fail("cannot close");
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  // events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>.v2: TensorBoard reads a run's files in
  // name order; the pid and a counter keep two writers of one second apart.
  void open(double wall_time) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::create_directories(dir_);
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    char name[400];
    std::snprintf(name, sizeof name, "events.out.tfevents.%010lld.%s.%ld.%u.v2",
                  static_cast<long long>(wall_time), host, static_cast<long>(::getpid()), counter++);
    path_ = dir_ / name;
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) fail("cannot create");
    write(io::tf_event::file_header(wall_time), wall_time);
  }
  [[noreturn]] void fail(const char* what) const {
    throw std::system_error(errno, std::generic_category(),
                            std::string("cue: tensorboard: ") + what + " " + (path_.empty() ? dir_ : path_).string());
  }

  std::filesystem::path dir_, path_;
  std::FILE* file_ = nullptr;
};

inline double wall_time_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace detail

/// Writes what Keras 3's TensorBoard callback writes, where and at the step it does, in
/// TensorBoard's own format (TFRecord framing with masked CRC-32C, Event protos encoded by cue):
/// runs `log_dir/train` and `log_dir/validation` (the latter only once validation runs);
/// `epoch_<name>` at step `epoch` (0-based) for every training log, then `epoch_learning_rate`,
/// then `epoch_steps_per_second` (with `write_steps_per_second`: the epoch's batches over its
/// time, validation included); `val_*` logs in validation/ as `epoch_<name>`; at every test end
/// `evaluation_<name>_vs_iterations` in validation/ at step = training batches so far (0 in a
/// standalone evaluate, where Keras uses the optimizer's iterations over all fits); with
/// `update_freq = N`, `batch_<name>` (the epoch's running means) and `batch_steps_per_second` at
/// every N-th training batch of the fit (1-based, not reset per epoch); weight histograms (30
/// buckets) tagged `<weight path>/histogram` every `histogram_freq` epochs, from the learner's
/// `named_weights()` (an error at train begin when it has none). Unlike Keras, epoch summaries do
/// not depend on `update_freq` dividing the batch count (a reported Keras bug). Values not measured
/// (`val_*` on epochs without validation) are skipped, as Keras skips absent keys.
///
/// Records are encoded and written on a worker thread; the files are flushed at every epoch end
/// (a live TensorBoard sees each epoch), at train end (where they are closed, so the next fit
/// opens new ones, as Keras does) and on exception. A killed run leaves files readable up to the
/// last complete record. A resumed fit (backup_and_restore) continues the batch steps from the
/// backup, since they count the fit's training batches (`ctx.step()`).
///
/// Hooks: on_train_begin, on_epoch_begin, on_epoch_end, on_train_batch_begin, on_train_batch_end,
/// on_test_end, on_train_end, on_exception.
class tensorboard {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = tensorboard_options;

  explicit tensorboard(options opts = {}) : opts_(std::move(opts)) {
    if (opts_.log_dir.empty()) throw std::invalid_argument("cue: tensorboard: log_dir is empty");
    if (opts_.histogram_freq < 0)
      throw std::invalid_argument("cue: tensorboard: histogram_freq must be >= 0, got " +
                                  std::to_string(opts_.histogram_freq));
    if (!opts_.update_freq.per_epoch && opts_.update_freq.batches < 1)
      throw std::invalid_argument("cue: tensorboard: update_freq must be cue::every_epoch or a number of "
                                  "batches >= 1, got " + std::to_string(opts_.update_freq.batches));
    if (opts_.drain_timeout.count() < 0)
      throw std::invalid_argument("cue: tensorboard: drain_timeout must be >= 0 seconds");
  }
  // Tasks hold the files they write (shared): a move takes the callback's share along.
  tensorboard(tensorboard&& other) noexcept
      : opts_(std::move(other.opts_)), say_(std::move(other.say_)), root_(std::move(other.root_)),
        train_(std::move(other.train_)), validation_(std::move(other.validation_)), worker_(worker_options_of(opts_)) {}
  ~tensorboard() {
    close_runs();
    worker_.close();  // a write that hangs past its grace is left with the files it holds
    if (say_) say_->silence();
  }

  void on_train_begin(auto& ctx) {
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if (opts_.histogram_freq > 0 && !has_named_weights<learner_type>)
      throw std::invalid_argument("cue: tensorboard: histogram_freq = " + std::to_string(opts_.histogram_freq) +
                                  " needs a learner with named_weights() (pairs of a weight's name and its "
                                  "values); add it, or set histogram_freq = 0");
    in_fit_ = true;
    worker_.rethrow_failure();  // of an earlier fit's end, which reported it
    // An unwritable log_dir fails here, on the training thread, not on the worker (the runs'
    // directories come with their first event: no validation run without validation data).
    std::filesystem::create_directories(opts_.log_dir);
    open_runs();
    if (!opts_.hparams.empty()) {
      const double t = detail::wall_time_now();
      std::string group;
      for (const auto& [name, value] : opts_.hparams) {
        group += group.empty() ? "" : ", ";
        group += name;
        group += '=';
        group += std::visit([](const auto& v) { return text_of(v); }, value);
      }
      post(root_, io::tf_event::session_start(t, opts_.hparams, group), t);
    }
  }

  void on_epoch_begin(auto& ctx) {
    epoch_start_ = std::chrono::steady_clock::now();
    epoch_first_step_ = ctx.step();
  }

  void on_train_batch_begin(auto&) {
    if (opts_.write_steps_per_second && !opts_.update_freq.per_epoch) batch_start_ = std::chrono::steady_clock::now();
  }
  void on_train_batch_end(auto& ctx) {
    if (opts_.update_freq.per_epoch) return;
    const std::size_t b = ctx.step() + 1;  // this batch included
    if (b % static_cast<std::size_t>(opts_.update_freq.batches) != 0) return;
    open_runs();
    const double t = detail::wall_time_now();
    const auto step = static_cast<std::int64_t>(b);
    for (const auto i : sorted(ctx.logs().names))
      post(train_, io::tf_event::scalar(t, step, "batch_" + std::string(ctx.logs().names[i]), ctx.logs().values[i]), t);
    if (opts_.write_steps_per_second) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_start_).count();
      post(train_, io::tf_event::scalar(t, step, "batch_steps_per_second", s > 0 ? 1 / s : 0), t);
    }
  }

  void on_test_end(auto& ctx) {
    open_runs();
    const double t = detail::wall_time_now();
    const auto step = static_cast<std::int64_t>(ctx.step());
    for (const auto i : sorted(ctx.logs().names))
      post(validation_, io::tf_event::scalar(t, step, "evaluation_" + std::string(ctx.logs().names[i]) + "_vs_iterations",
                                              ctx.logs().values[i]), t);
    if (!in_fit_) {  // a standalone evaluation ends here
      worker_.post([validation = validation_](std::stop_token) {
        validation->flush();
        return true;
      });
      worker_.wait();
      worker_.rethrow_failure();
    }
  }

  void on_epoch_end(auto& ctx) {
    open_runs();
    const double t = detail::wall_time_now();
    const auto step = static_cast<std::int64_t>(ctx.epoch());
    const auto& logs = ctx.logs();
    bool has_rate = false;
    for (const auto i : sorted(logs.names)) {
      const std::string_view name = logs.names[i];
      if (name.starts_with("val_")) continue;
      if (name == "learning_rate") {
        has_rate = true;
        continue;
      }
      post(train_, io::tf_event::scalar(t, step, "epoch_" + std::string(name), logs.values[i]), t);
    }
    if constexpr (std::remove_cvref_t<decltype(logs)>::template contains<"learning_rate">)
      if (has_rate) post(train_, io::tf_event::scalar(t, step, "epoch_learning_rate", get<"learning_rate">(logs)), t);
    if (opts_.write_steps_per_second) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start_).count();
      const double steps = static_cast<double>(ctx.step() - epoch_first_step_);
      post(train_, io::tf_event::scalar(t, step, "epoch_steps_per_second", s > 0 ? steps / s : 0), t);
    }
    for (const auto i : sorted(logs.names)) {
      std::string_view name = logs.names[i];
      if (!name.starts_with("val_") || !is_measured(name, ctx.validated())) continue;
      name.remove_prefix(4);
      post(validation_, io::tf_event::scalar(t, step, "epoch_" + std::string(name), logs.values[i]), t);
    }
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (has_named_weights<learner_type>) {
      if (opts_.histogram_freq > 0 && ctx.epoch() % opts_.histogram_freq == 0) write_histograms(ctx.learner(), step, t);
    }
    worker_.post([train = train_, validation = validation_](std::stop_token) {
      train->flush();
      validation->flush();
      return true;
    });
  }

  void on_train_end(auto&) {
    in_fit_ = false;
    end_of_fit();
  }
  void on_exception(auto&) {
    in_fit_ = false;
    end_of_fit();
  }

  /// The options.
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  static std::string text_of(double v) { return std::to_string(v); }
  static std::string text_of(const std::string& v) { return v; }
  static std::string text_of(bool v) { return v ? "true" : "false"; }

  // The indices of `names` in Keras's order: sorted by name.
  template <class Names>
  static std::vector<std::size_t> sorted(const Names& names) {
    std::vector<std::size_t> order(names.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
    return order;
  }

  static worker_options worker_options_of(const options& o) {
    return {.capacity = 1024, .policy = when_full::wait, .drain_timeout = o.drain_timeout};
  }

  void open_runs() {
    if (train_) return;
    const std::filesystem::path dir = opts_.log_dir;
    root_ = std::make_shared<detail::event_file>(dir);
    train_ = std::make_shared<detail::event_file>(dir / "train");
    validation_ = std::make_shared<detail::event_file>(dir / "validation");
  }

  // Encoding happens on the training thread only for scalars (a few dozen bytes); files are
  // touched only by the worker, whose tasks hold them. A task's failure (a full disk) comes back
  // at the next hook.
  void post(const std::shared_ptr<detail::event_file>& file, std::string event, double wall_time) {
    worker_.rethrow_failure();
    worker_.post([file, event = std::move(event), wall_time](std::stop_token) {
      file->write(event, wall_time);
      return true;
    });
  }

  // The weights are copied here and bucketed on the worker; values that are not finite (a run
  // that diverged) have no bucket, and are said once per fit.
  template <class Learner>
  void write_histograms(Learner& learner, std::int64_t step, double t) {
    for (auto&& [name, values] : learner.named_weights()) {
      std::vector<double> copy(std::ranges::begin(values), std::ranges::end(values));
      std::string tag(name);
      tag += "/histogram";
      worker_.post([train = train_, say = say_, told = told_non_finite_, tag = std::move(tag), copy = std::move(copy),
                    step, t](std::stop_token) {
        std::size_t non_finite = 0;
        train->write(io::tf_event::histogram(t, step, tag, io::tf_event::buckets<double>(copy, 30, &non_finite)), t);
        if (non_finite > 0 && !told->exchange(true))
          (*say)(std::to_string(non_finite) + " of the " + std::to_string(copy.size()) + " values of " + tag +
                 " at epoch " + std::to_string(step + 1) +
                 " are not finite (NaN or infinite) and have no bucket; its histograms show the finite ones "
                 "(said once per fit)");
        return true;
      });
    }
  }

  // The files closed after everything queued was written, within drain_timeout (then what is
  // left is given up, reported); a failure of the worker's is thrown here, at the fit's end.
  void end_of_fit() {
    if (!train_) return;
    close_runs();
    const worker_end end = worker_.finish();
    if (!end.complete())
      (*say_)("records for " + opts_.log_dir + " not written by the end of training: " + std::to_string(end.dropped) +
              " still queued when drain_timeout ran out" + (end.cancelled ? ", 1 in flight left to end alone" : ""));
    told_non_finite_ = std::make_shared<std::atomic<bool>>(false);
    worker_.rethrow_failure();
  }
  // The next fit writes new files, as Keras's: these are closed by the worker, after what is queued.
  void close_runs() {
    if (!train_) return;
    worker_.post([files = std::array{root_, train_, validation_}](std::stop_token) {
      for (const auto& f : files) f->close();
      return true;
    });
    root_.reset();
    train_.reset();
    validation_.reset();
  }

  options opts_;
  std::shared_ptr<reporter> say_ = reporter::make("tensorboard", opts_.log);
  std::shared_ptr<detail::event_file> root_, train_, validation_;
  std::shared_ptr<std::atomic<bool>> told_non_finite_ = std::make_shared<std::atomic<bool>>(false);
  bool in_fit_ = false;
  std::chrono::steady_clock::time_point epoch_start_{}, batch_start_{};
  std::size_t epoch_first_step_ = 0;
  worker worker_{worker_options_of(opts_)};  // last: it ends before the members above go
};

}  // namespace cue
