// cue::model_checkpoint: save the learner (or its weights) every epoch or every N batches, or only
// when a monitored metric improves (Keras's ModelCheckpoint, plus Lightning's save_top_k).
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <iostream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/context.hpp>
#include <cue/options.hpp>
#include <cue/run_events.hpp>
#include <cue/fixed_string.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/learner_files.hpp>
#include <cue/monitor.hpp>
#include <cue/python_format.hpp>
#include <cue/save_frequency.hpp>
#include <cue/state.hpp>

namespace cue {

/// Options of `cue::model_checkpoint`, named and ordered as Keras's, with Keras's defaults;
/// Lightning's `save_top_k` follows.
struct model_checkpoint_options {
  /// Where to save; Python placeholders name the 1-based `{epoch}`, `{batch}` (batch-level saves)
  /// or any metric of the logs: "ckpt/model-{epoch:02d}-{val_loss:.2f}".
  std::string filepath{};
  int verbose = 0;                   ///< 1: print each save (and each non-improvement)
  bool save_best_only = false;       ///< save only when the monitored metric improves
  bool save_weights_only = false;    ///< save_weights(path) instead of save(path)
  cue::mode mode = mode::automatic;  ///< automatic: from the metric's name
  save_frequency save_freq = every_epoch;
  std::optional<double> initial_value_threshold{};  ///< with save_best_only: the value to beat first
  int save_top_k = -1;  ///< keep only the k best files by the monitored metric (0: save none; -1: keep all)
  /// (Lightning) when fit aborts with an exception, save to `on_exception<ext>` beside the
  /// checkpoints (ext: the filepath's extension), so the work up to the failure is kept.
  bool save_on_exception = false;
};

/// The fields of model_checkpoint_options, for reading it from configuration (<cue/config.hpp>).
template <std::same_as<model_checkpoint_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("model_checkpoint_options",
                  field{"filepath", &O::filepath},
                  field{"verbose", &O::verbose},
                  field{"save_best_only", &O::save_best_only},
                  field{"save_weights_only", &O::save_weights_only},
                  field{"mode", &O::mode},
                  field{"save_freq", &O::save_freq},
                  field{"initial_value_threshold", &O::initial_value_threshold},
                  field{"save_top_k", &O::save_top_k},
                  field{"save_on_exception", &O::save_on_exception});
}

/// Saves the learner as Keras 3's ModelCheckpoint does, each file written atomically (a temporary
/// file, fsync, rename, fsync of the directory), so a crash never leaves a half-written checkpoint
/// under the final name.
///
/// Hooks: on_train_begin (checks the filepath's placeholders against this fit's logs, before the
/// first batch), on_epoch_begin, on_train_batch_end (batch-level saves), on_epoch_end,
/// on_exception (with save_on_exception).
/// Needs a learner with save/load or save_weights/load_weights.
/// Notes, as in Keras: `best` is not reset between fits; with save_best_only a save whose logs
/// lack the metric (batch-level saves monitoring `val_*`) happens anyway; with an integer
/// save_freq there is no epoch-end save. Unlike Keras, a placeholder that names nothing is an
/// error before training rather than at the first save, and the filepath's extension is the
/// learner's business. save_top_k removes the worst file when a better one makes k + 1.
///
/// The filepath can also be a template argument, `cue::model_checkpoint<"val_loss",
/// "ckpt-{epoch:02d}-{val_loss:.2f}.npz">`: a placeholder naming no log of the loop (or an
/// unbalanced brace) is then a compile error.
template <fixed_string Monitor = "val_loss", fixed_string Filepath = "">
class model_checkpoint {
  static_assert(well_formed_format<Filepath>,
                "cue: the filepath 'Filepath' of model_checkpoint has an unbalanced brace; write a "
                "literal brace as {{ or }}");

 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using monitored = names<Monitor>;
  using formatted = format_names<Filepath>;
  using needs = cue::needs<capability::save_file>;
  using emits = cue::emits<checkpoint_saved, checkpoint_removed>;
  using options = model_checkpoint_options;

  /// With the filepath as a template argument, the options may be left out.
  model_checkpoint() requires(Filepath.size() > 0) : model_checkpoint(options{}) {}

  explicit model_checkpoint(options opts)
      : opts_(std::move(opts)), mode_(resolve_mode(opts_.mode, Monitor.view(), "model_checkpoint")),
        best_(opts_.initial_value_threshold) {
    if constexpr (Filepath.size() > 0) {
      if (opts_.filepath.empty())
        opts_.filepath = Filepath.view();
      else if (opts_.filepath != Filepath.view())
        throw std::invalid_argument("cue: model_checkpoint: the filepath is given twice, \"" +
                                    std::string(Filepath.view()) + "\" as a template argument and \"" +
                                    opts_.filepath + "\" in the options; give it once");
    }
    if (opts_.filepath.empty())
      throw std::invalid_argument("cue: model_checkpoint: filepath is empty");
    if (!opts_.save_freq.per_epoch && opts_.save_freq.batches < 0)
      throw std::invalid_argument("cue: model_checkpoint: save_freq must be cue::every_epoch or a "
                                  "number of batches >= 0, got " +
                                  std::to_string(opts_.save_freq.batches));
    if (opts_.save_top_k < -1)
      throw std::invalid_argument("cue: model_checkpoint: save_top_k must be >= -1, got " +
                                  std::to_string(opts_.save_top_k));
    (void)format_fields(opts_.filepath);  // unbalanced braces fail here
  }

  void on_train_begin(auto& ctx) {
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if (opts_.save_weights_only && !has_save_weights<learner_type>)
      throw std::invalid_argument("cue: model_checkpoint: save_weights_only = true needs a learner "
                                  "with save_weights(path) and load_weights(path)");
    if (!opts_.save_weights_only && !has_save<learner_type>)
      throw std::invalid_argument("cue: model_checkpoint: save_weights_only = false needs a "
                                  "learner with save(path) and load(path); add them or set "
                                  "save_weights_only = true");
    check_placeholders(opts_.save_freq.per_epoch ? ctx.params().epoch_log_names
                                                 : ctx.params().batch_log_names);
    counter_.reset();
    // What a killed run was writing there (a half-written checkpoint), never a live writer's.
    if (const auto dir = std::filesystem::path(opts_.filepath).parent_path(); dir.string().find('{') == std::string::npos)
      io::remove_abandoned(dir);
  }

  void on_epoch_begin(auto& ctx) { current_epoch_ = ctx.epoch(); }

  void on_train_batch_end(auto& ctx) {
    if (opts_.save_freq.per_epoch) return;
    if (counter_.due(ctx.batch(), opts_.save_freq.batches))
      save(ctx, current_epoch_, static_cast<long long>(ctx.batch()));
  }

  void on_epoch_end(auto& ctx) {
    if (opts_.save_freq.per_epoch) save(ctx, ctx.epoch(), std::nullopt);
  }

  void on_exception(auto& ctx) {
    if (!opts_.save_on_exception) return;
    const std::filesystem::path pattern = opts_.filepath;
    std::string name = "on_exception";
    name += pattern.extension().string();
    const auto path = pattern.parent_path() / name;
    write(ctx.learner(), path);
    announce_saved(ctx, path, ctx.epoch(), ctx.step(), std::nullopt);
  }

  /// The best monitored value so far (with save_best_only), or the initial threshold.
  [[nodiscard]] std::optional<double> best() const noexcept { return best_; }
  /// The file most recently written; empty before the first save.
  [[nodiscard]] const std::filesystem::path& last_saved() const noexcept { return last_saved_; }
  /// How many files were written.
  [[nodiscard]] std::size_t save_count() const noexcept { return save_count_; }
  /// With save_top_k > 0: the files kept, with their monitored values.
  [[nodiscard]] const std::vector<std::pair<double, std::filesystem::path>>& best_k() const noexcept {
    return kept_;
  }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

  /// Its state, for a resumed run (backup_and_restore): the best value, the batch count towards
  /// the next save, and the files kept by save_top_k.
  /// The name its state is kept under in a backup: its kind and monitor.
  [[nodiscard]] static std::string state_key() { return "model_checkpoint[" + std::string(Monitor.view()) + "]"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    cue::state_dict d{{"best", state::number(best_)},
                      {"batches_since_save", std::to_string(counter_.since_save_)},
                      {"last_batch_seen", counter_.last_seen_ ? std::to_string(*counter_.last_seen_) : "none"},
                      {"save_count", std::to_string(save_count_)},
                      {"best_saved", state::number(best_saved_)},
                      {"kept", std::to_string(kept_.size())}};
    for (std::size_t i = 0; i < kept_.size(); ++i) {
      d["kept." + std::to_string(i) + ".score"] = state::number(kept_[i].first);
      d["kept." + std::to_string(i) + ".path"] = kept_[i].second.string();
    }
    return d;
  }
  void load_state_dict(const cue::state_dict& d) {
    const std::string owner = "model_checkpoint";
    best_ = state::to_optional(state::at(d, "best", owner));
    counter_.since_save_ = state::integer_at<long long>(d, "batches_since_save", owner);
    const auto& last = state::at(d, "last_batch_seen", owner);
    counter_.last_seen_ = last == "none" ? std::nullopt : std::optional<long long>(state::integer_at<long long>(d, "last_batch_seen", owner));
    save_count_ = state::to_count(state::at(d, "save_count", owner));
    best_saved_ = state::to_optional(state::at(d, "best_saved", owner));
    kept_.clear();
    const auto most = opts_.save_top_k > 0 ? static_cast<std::size_t>(opts_.save_top_k) : std::numeric_limits<std::size_t>::max();
    const auto n = state::integer_at<std::size_t>(d, "kept", owner, 0, most);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& path = state::at(d, "kept." + std::to_string(i) + ".path", owner);
      // A backup is input: top-k deletes what this list names, so it may name only files this
      // callback writes.
      if (!is_own_file(path))
        throw std::runtime_error("cue: model_checkpoint: the backup's list of kept checkpoints names '" + path +
                                 "', which its filepath \"" + opts_.filepath +
                                 "\" does not make; a backup may name only the callback's own files");
      kept_.emplace_back(state::to_double(state::at(d, "kept." + std::to_string(i) + ".score", owner)), path);
    }
  }

  /// Whether `path` is a name the filepath makes: its literal text, each placeholder standing for
  /// a text without a '/' (and not "." or ".."). How a backup's kept files are checked.
  [[nodiscard]] bool is_own_file(std::string_view path) const {
    std::vector<format_piece> pieces;
    format_scanner scan{opts_.filepath};
    for (format_piece p; scan.next(p);) pieces.push_back(p);
    if (scan.error) return false;
    return matches(pieces, 0, path);
  }

 private:
  // Backtracking over the placeholders: each takes some text without '/', the literals match exactly.
  static bool matches(const std::vector<format_piece>& pieces, std::size_t k, std::string_view rest) {
    if (k == pieces.size()) return rest.empty();
    if (!pieces[k].is_field) {
      const auto& text = pieces[k].text;
      return rest.starts_with(text) && matches(pieces, k + 1, rest.substr(text.size()));
    }
    for (std::size_t n = 1; n <= rest.size() && rest[n - 1] != '/'; ++n) {
      const auto value = rest.substr(0, n);
      if (value != "." && value != ".." && matches(pieces, k + 1, rest.substr(n))) return true;
    }
    return false;
  }

  void check_placeholders(std::span<const std::string_view> available) const {
    const bool batch_level = !opts_.save_freq.per_epoch;
    try {
      (void)python_format(opts_.filepath, [&](std::string_view name) -> std::optional<format_value> {
        if (name == "epoch" || (batch_level && name == "batch")) return format_value{1LL};
        if (std::find(available.begin(), available.end(), name) != available.end())
          return format_value{0.0};
        return std::nullopt;
      });
    } catch (const std::invalid_argument& e) {
      std::string names = batch_level ? "epoch, batch" : "epoch";
      for (auto n : available) names += ", " + std::string(n);
      throw std::invalid_argument("cue: model_checkpoint: the filepath \"" + opts_.filepath +
                                  "\" cannot be formatted (" + e.what() +
                                  "); placeholders can name: " + names);
    }
  }

  std::filesystem::path path_for(auto& ctx, int epoch, std::optional<long long> batch) const {
    const auto& logs = ctx.logs();
    const bool batch_level = batch.has_value();  // plain values: GCC 12 warns wrongly on the optional
    const long long batch_number = batch.value_or(0) + 1;
    return python_format(opts_.filepath, [&](std::string_view name) -> std::optional<format_value> {
      if (name == "epoch") return format_value{static_cast<long long>(epoch) + 1};
      if (name == "batch" && batch_level) return format_value{batch_number};
      for (std::size_t i = 0; i < logs.names.size(); ++i)
        if (logs.names[i] == name) return format_value{logs.values[i]};
      return std::nullopt;
    });
  }

  void save(auto& ctx, int epoch, std::optional<long long> batch) {
    const auto path = path_for(ctx, epoch, batch);  // first, as Keras: a bad name fails every time
    std::optional<double> current;
    if (has_log<Monitor>(ctx)) current = get_monitored(ctx);
    const bool improved = opts_.save_best_only && current;
    if (improved) {
      if (!is_improvement(*current, best_, mode_, 0.0)) {
        if (opts_.verbose > 0)
          std::cout << "\nEpoch " << epoch + 1 << ": " << Monitor.view() << " did not improve from "
                    << python_format_value(*best_, ".5f") << "\n";
        return;
      }
      if (opts_.verbose > 0)
        std::cout << "\nEpoch " << epoch + 1 << ": " << Monitor.view() << " improved from "
                  << (best_ ? python_format_value(*best_, ".5f") : std::string("None")) << " to "
                  << python_format_value(*current, ".5f") << ", saving model to " << path.string()
                  << "\n";
    } else if (opts_.verbose > 0) {
      std::cout << "\nEpoch " << epoch + 1 << ": saving model to " << path.string() << "\n";
    }
    const double score = current.value_or(std::nan(""));
    if (opts_.save_top_k == 0 || !earns_place(score, path)) return;
    // Write first; only a checkpoint that is complete on disk updates the best and evicts another,
    // so a failed write (a full disk) loses nothing that was kept.
    write(ctx.learner(), path);
    if (opts_.verbose > 0)
      std::cout << "\nEpoch " << epoch + 1 << ": finished saving model to " << path.string() << "\n";
    if (improved) best_ = current;
    if (opts_.save_top_k > 0) keep(ctx, score, path);
    announce_saved(ctx, path, epoch, ctx.step() + (batch ? 1 : 0), current);
  }

  // Tells the fit's listeners (cue::checkpoint_saved) about a file complete on disk.
  void announce_saved(auto& ctx, const std::filesystem::path& path, int epoch, std::size_t step,
                      std::optional<double> score) {
    const bool best = score && !std::isnan(*score) &&
                      (!best_saved_ || is_improvement(*score, best_saved_, mode_, 0.0));
    if (best) best_saved_ = score;
    emit_if_heard<checkpoint_saved>(ctx, [&] {
      return checkpoint_saved{path.string(), epoch, step, std::string(Monitor.view()), score, best};
    });
  }

  double get_monitored(auto& ctx) const {
    if constexpr (std::remove_cvref_t<decltype(ctx.logs())>::template contains<Monitor>)
      return get<Monitor>(ctx.logs());
    else
      return std::nan("");
  }

  // save_top_k: a checkpoint that overwrites a kept file (same path) replaces it; otherwise it
  // earns a place if fewer than k are kept or it beats the worst. NaN ranks lowest.
  [[nodiscard]] bool worse(double a, double b) const {  // a ranks below b
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
    return mode_ == mode::min ? a > b : a < b;
  }
  [[nodiscard]] auto worst_kept(const std::filesystem::path& except) {
    auto worst = kept_.end();
    for (auto it = kept_.begin(); it != kept_.end(); ++it)
      if (it->second != except && (worst == kept_.end() || worse(it->first, worst->first))) worst = it;
    return worst;
  }
  [[nodiscard]] bool earns_place(double score, const std::filesystem::path& path) {
    if (opts_.save_top_k < 0) return true;
    const auto others = std::count_if(kept_.begin(), kept_.end(), [&](const auto& k) { return k.second != path; });
    if (others < opts_.save_top_k) return true;
    return worse(worst_kept(path)->first, score);
  }
  // After `path` was written: record it, and drop the worst kept file if that makes k + 1.
  void keep(auto& ctx, double score, const std::filesystem::path& path) {
    std::erase_if(kept_, [&](const auto& kept) { return kept.second == path; });  // overwritten
    if (static_cast<int>(kept_.size()) >= opts_.save_top_k) {
      const auto worst = worst_kept(path);
      std::error_code ignored;
      std::filesystem::remove(worst->second, ignored);
      emit_if_heard<checkpoint_removed>(ctx, [&] { return checkpoint_removed{worst->second.string()}; });
      kept_.erase(worst);
    }
    kept_.emplace_back(score, path);
  }

  template <class Learner>
  void write(Learner& learner, const std::filesystem::path& path) {
    io::write_atomically(path, [&](const std::filesystem::path& tmp) {
      if constexpr (has_save_weights<Learner>) {
        if (opts_.save_weights_only) learner.save_weights(tmp);
      }
      if constexpr (has_save<Learner>) {
        if (!opts_.save_weights_only) learner.save(tmp);
      }
    });
    last_saved_ = path;
    ++save_count_;
  }

  options opts_;
  cue::mode mode_;
  std::optional<double> best_;
  std::optional<double> best_saved_;  // the best score among the files written (checkpoint_saved.best)
  int current_epoch_ = 0;
  batch_counter counter_;
  std::filesystem::path last_saved_{};
  std::size_t save_count_ = 0;
  std::vector<std::pair<double, std::filesystem::path>> kept_{};
};

}  // namespace cue
