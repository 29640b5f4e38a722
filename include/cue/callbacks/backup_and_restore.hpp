// cue::backup_and_restore: resume a run that was killed, preempted or crashed, exactly where its
// last backup left it (Keras's BackupAndRestore, with the optimizer, the callbacks' state and
// the data order included).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cue/context.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/learner.hpp>
#include <cue/options.hpp>
#include <cue/state.hpp>

namespace cue {

/// Options of `cue::backup_and_restore`, named as Keras's.
struct backup_and_restore_options {
  std::string backup_dir{};       ///< where the backups live (created if needed)
  bool delete_checkpoint = true;  ///< remove them when training ends (not when interrupted)
};

constexpr auto fields_of(std::type_identity<backup_and_restore_options>) {
  return describe("backup_and_restore_options",
                  field{"backup_dir", &backup_and_restore_options::backup_dir},
                  field{"delete_checkpoint", &backup_and_restore_options::delete_checkpoint});
}

/// Backs up at every epoch end the learner (`save`: weights and optimizer state), the learning
/// rate, the next epoch and step, and the state of every object it tracks (stateful callbacks
/// such as early_stopping and reduce_lr_on_plateau, and the training data's shuffle); at train
/// begin, resumes from the newest complete backup. A run killed at any moment and started again
/// with the same command ends with the weights of a run never interrupted, bit for bit.
///
///     cue::backup_and_restore backup({.backup_dir = "run/backup"}, early_stop, reduce_lr, train_batches);
///     cue::fit(model, train_batches, val_batches, {.epochs = 50}, early_stop, reduce_lr, backup);
///
/// List it after the callbacks it tracks: its backup at an epoch's end then holds their state
/// after that epoch. A backup is written to a fresh directory (every file fsync'ed), which then
/// replaces `current` by renames, the previous backup being kept until the new one is complete;
/// loading falls back to it when the newest is damaged, and when no backup there can be used the
/// error names it rather than starting over on top of it. Resuming with a different set of
/// tracked objects is an error that says so. Tracked states are applied at the first epoch begin, after
/// every callback's on_train_begin reset.
///
/// Hooks: on_train_begin, on_epoch_begin, on_epoch_end, on_train_end. Needs save/load.
template <class... Tracked>
class backup_and_restore {
  static_assert((stateful<Tracked> && ...),
                "cue: backup_and_restore tracks objects with state_dict() and load_state_dict(d); "
                "one of the types in 'Tracked' has not");

 public:
  using needs = cue::needs<capability::save>;
  using options = backup_and_restore_options;

  explicit backup_and_restore(options opts, Tracked&... tracked)
      : opts_(std::move(opts)), tracked_(&tracked...) {
    if (opts_.backup_dir.empty()) throw std::invalid_argument("cue: backup_and_restore: backup_dir is empty");
  }

  void on_train_begin(auto& ctx) {
    restored_.reset();
    pending_.reset();
    const auto dir = std::filesystem::path(opts_.backup_dir);
    bool found = false;
    for (const char* name : {"current", "previous"}) {
      const auto backup = dir / name;
      if (!std::filesystem::exists(backup / "state.txt")) continue;
      found = true;
      try {
        auto d = state::read_file((backup / "state.txt").string());
        check_tracked(d, backup);
        ctx.learner().load(backup / "learner.npz");
        restore_learning_rate(ctx.learner(), d);
        ctx.state().resume_epoch = std::stoi(state::at(d, "epoch", "backup_and_restore"));
        ctx.state().step = std::stoull(state::at(d, "step", "backup_and_restore"));
        restored_ = *ctx.state().resume_epoch;
        pending_ = std::move(d);
        return;
      } catch (const std::invalid_argument&) {
        throw;  // a different set of tracked objects: not something to fall back over
      } catch (const std::exception& e) {
        last_error_ = e.what();  // damaged: try the previous backup
      }
    }
    // A backup that exists but cannot be used is never overwritten by a fresh start.
    if (found)
      throw std::runtime_error("cue: backup_and_restore: no usable backup in " + dir.string() +
                               " (" + last_error_ + "); repair or remove it to start over");
  }

  void on_epoch_begin(auto&) {
    if (!pending_) return;
    std::apply([&](auto*... t) {
      std::size_t i = 0;
      (t->load_state_dict(slice(*pending_, "t" + std::to_string(i++) + ".")), ...);
    }, tracked_);
    pending_.reset();
  }

  void on_epoch_end(auto& ctx) {
    state_dict d{{"epoch", std::to_string(ctx.epoch() + 1)},
                 {"step", std::to_string(ctx.step())},
                 {"tracked", std::to_string(sizeof...(Tracked))}};
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (has_learning_rate<learner_type>) d["learning_rate"] = state::number(ctx.learner().learning_rate());
    std::apply([&](auto*... t) {
      std::size_t i = 0;
      (add(d, "t" + std::to_string(i++) + ".", t->state_dict()), ...);
    }, tracked_);
    write(ctx.learner(), d);
  }

  void on_train_end(auto& ctx) {
    if (opts_.delete_checkpoint && !ctx.state().interrupted) {
      std::error_code ignored;
      std::filesystem::remove_all(opts_.backup_dir, ignored);
    }
  }

  /// The epoch the last fit resumed from, if it did.
  [[nodiscard]] std::optional<int> resumed_from() const noexcept { return restored_; }
  /// Why the newest backup could not be used, when fit fell back to the previous one.
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

 private:
  static void add(state_dict& d, const std::string& prefix, const state_dict& part) {
    for (const auto& [k, v] : part) d[prefix + k] = v;
  }
  static state_dict slice(const state_dict& d, const std::string& prefix) {
    state_dict out;
    for (const auto& [k, v] : d)
      if (k.starts_with(prefix)) out[k.substr(prefix.size())] = v;
    return out;
  }
  void check_tracked(const state_dict& d, const std::filesystem::path& backup) const {
    const auto n = std::stoul(state::at(d, "tracked", "backup_and_restore"));
    if (n != sizeof...(Tracked))
      throw std::invalid_argument("cue: backup_and_restore: the backup in " + backup.string() +
                                  " was made tracking " + std::to_string(n) +
                                  " objects and this run tracks " + std::to_string(sizeof...(Tracked)) +
                                  "; resume with the same callbacks and data, or remove the backup");
  }
  template <class L>
  static void restore_learning_rate(L& learner, const state_dict& d) {
    if constexpr (has_learning_rate<L>) {
      if (auto it = d.find("learning_rate"); it != d.end()) learner.set_learning_rate(state::to_double(it->second));
    }
  }

  template <class L>
  void write(L& learner, const state_dict& d) {
    namespace fs = std::filesystem;
    const fs::path dir = opts_.backup_dir;
    fs::create_directories(dir);
    const fs::path incoming = dir / ("incoming-" + std::to_string(::getpid()));
    fs::remove_all(incoming);
    fs::create_directories(incoming);
    learner.save(incoming / "learner.npz");
    io::detail::fsync_path(incoming / "learner.npz", false);
    {
      std::ofstream out(incoming / "state.txt", std::ios::binary);
      out << state::serialize(d);
      if (!out) throw std::runtime_error("cue: backup_and_restore: cannot write " + (incoming / "state.txt").string());
    }
    io::detail::fsync_path(incoming / "state.txt", false);
    io::detail::fsync_path(incoming, true);
    // current -> previous, incoming -> current: at every instant one complete backup exists.
    fs::remove_all(dir / "previous");
    if (fs::exists(dir / "current")) fs::rename(dir / "current", dir / "previous");
    io::detail::fsync_path(dir, true);
    fs::rename(incoming, dir / "current");
    io::detail::fsync_path(dir, true);
    fs::remove_all(dir / "previous");
  }

  options opts_;
  std::tuple<Tracked*...> tracked_;
  std::optional<state_dict> pending_;
  std::optional<int> restored_;
  std::string last_error_;
};

}  // namespace cue
