// cue::backup_and_restore: resume a run that was killed, preempted or crashed, exactly where its
// last backup left it (Keras's BackupAndRestore, with the optimizer, the callbacks' state, the
// data order and the position inside an epoch included).
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cue/callbacks.hpp>
#include <cue/context.hpp>
#include <cue/distributed/broadcast_file.hpp>
#include <cue/distributed/communicator.hpp>
#include <cue/io/archive.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/learner_files.hpp>
#include <cue/options.hpp>
#include <cue/run_events.hpp>
#include <cue/save_frequency.hpp>
#include <cue/state.hpp>

namespace cue {

/// Options of `cue::backup_and_restore`, named, ordered and defaulted as Keras's.
struct backup_and_restore_options {
  std::string backup_dir{};       ///< where the backups live (created if needed)
  /// At every epoch end (`cue::every_epoch`), or every N training batches counted across epochs.
  save_frequency save_freq = every_epoch;
  /// Keep the previous backup after the new one is complete, to fall back to if the newest is
  /// later found damaged (it is always kept while the new one is written).
  bool double_checkpoint = false;
  bool delete_checkpoint = true;  ///< remove the backups when training ends (not when interrupted)
};

template <std::same_as<backup_and_restore_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("backup_and_restore_options",
                  field{"backup_dir", &O::backup_dir},
                  field{"save_freq", &O::save_freq},
                  field{"double_checkpoint", &O::double_checkpoint},
                  field{"delete_checkpoint", &O::delete_checkpoint});
}

namespace detail {
// A backup that exists but belongs to another run setup: not something to fall back over.
struct backup_mismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace detail

namespace detail {
template <class T>
consteval bool check_trackable() {
  static_assert(holds<stateful<T> && has_state_key<T>>,
                "cue: backup_and_restore tracks the type 'T', which needs state_dict(), "
                "load_state_dict(d) and state_key() (the name its state is kept under, the same in "
                "every build: `std::string state_key() const { return \"my_callback\"; }`)");
  return true;
}
}  // namespace detail

/// Backs up, at every epoch end or every N batches, the learner (`save`: weights and optimizer
/// state), the learning rate, the position (epoch, batch, step, the epoch's training sums so far)
/// and the state of everything it tracks; at train begin, resumes from the newest complete
/// backup. A run killed at any moment and started again with the same command ends with the
/// weights of a run never interrupted, bit for bit, even from the middle of an epoch: fit skips
/// the batches the backup already holds.
///
///     cue::fit(model, train_batches, val_batches, {.epochs = 50}, early_stop, reduce_lr,
///              cue::backup_and_restore({.backup_dir = "run/backup"}));
///
/// It tracks, found at train begin: every stateful callback of the fit (state_dict,
/// load_state_dict, state_key; inside groups and adapters, not inside in_background), the fit's
/// training data when it keeps a state (its shuffle), and the objects given to it (objects outside
/// the fit), each once.
///
/// List it after the callbacks it tracks: its backup then holds their state after the event; and
/// after stop_on_signal, so that a stop by SIGINT or SIGTERM is backed up at the batch it cut.
/// A backup is `state.npz` (cue's file format: versioned, checksummed) beside the learner's saved
/// file, written to a fresh directory (every file fsync'ed) that then replaces `current` by
/// renames; the previous backup is kept until the new one is complete. Loading falls back to it
/// when the newest is damaged; when no backup can be used, the error names it rather than
/// starting over on top of it. Each tracked state is filed under the object's `state_key()`
/// (`early_stopping[val_loss]`; a second of the same key gets `#2`), so a backup does not depend
/// on the compiler or on the order of the tracked objects; resuming with other tracked objects is
/// an error that names both lists.
/// Tracked states are applied at the first epoch begin, after every callback's on_train_begin
/// reset. A tracked data range must save, while an epoch is under way, the state that deals that
/// epoch's batches again (cue::data::batches does), as fit then skips the batches already done.
///
/// In a distributed fit (cue::data_parallel), rank 0 writes the backups and every rank resumes
/// from them: rank 0 from its directory, the others from a copy of its state sent through the
/// communicator (the ranks need not share a file system), and fit's synchronize() then gives
/// every rank rank 0's learner. A signal on any rank (stop_on_signal on every rank) cuts the
/// epoch on all of them at the same batch, and the backup is made there. A mid-epoch backup holds
/// the training sums of all ranks. Run it on every rank, not inside cue::on_rank_zero.
///
/// Hooks: on_train_begin, on_epoch_begin, on_train_batch_end, on_test_begin, on_epoch_end,
/// on_train_end. Needs save/load.
template <class... Tracked>
class backup_and_restore {
  static_assert((detail::check_trackable<Tracked>() && ...));

 public:
  using uses_collectives = void;  ///< in a distributed fit, every rank resumes from rank 0's backup
  using needs = cue::needs<capability::save>;
  using emits = cue::emits<backup_saved>;
  using listens = cue::listens<cue::optional<signal_received>>;  // from stop_on_signal
  using reads_running_sums = void;  // its mid-epoch backups save them
  using options = backup_and_restore_options;

  explicit backup_and_restore(options opts, Tracked&... tracked)
      : opts_(std::move(opts)), tracked_(&tracked...) {
    (void)keys_of(tracked...);  // a bad key fails here, before any fit
    if (opts_.backup_dir.empty()) throw std::invalid_argument("cue: backup_and_restore: backup_dir is empty");
    if (!opts_.save_freq.per_epoch && opts_.save_freq.batches < 1)
      throw std::invalid_argument("cue: backup_and_restore: save_freq must be cue::every_epoch or a "
                                  "number of batches >= 1, got " + std::to_string(opts_.save_freq.batches));
  }

  void on_train_begin(auto& ctx) {
    if (rank_of(ctx) == 0) io::remove_abandoned(opts_.backup_dir);  // what a killed run was writing
    collect(ctx);
    interrupted_ = false;
    restored_.reset();
    pending_.reset();
    cut_short_ = false;
    counter_.reset();
    last_error_.clear();
    written_ = {-1, 0};
    if constexpr (distributed<decltype(ctx)>)
      resume_every_rank(ctx);
    else
      (void)resume(ctx);
  }

  void on_epoch_begin(auto&) {
    batches_over_ = false;
    if (!pending_) return;
    for (std::size_t i = 0; i < parts_.size(); ++i) parts_[i].load(state::slice(*pending_, keys_[i] + '.'));
    pending_.reset();
  }

  void on_train_batch_end(auto& ctx) {
    // A signal's stop (stop_on_signal, listed before) cuts the epoch short: back up here, where
    // the run can continue exactly, and not at its end, after a partial epoch's validation. In a
    // distributed fit the other ranks do not know of it yet: after_batches makes that backup.
    if constexpr (!distributed<decltype(ctx)>) cut_short_ = interrupted_;
    const bool due = !opts_.save_freq.per_epoch && counter_.due(ctx.batch(), opts_.save_freq.batches);
    if (!due && !cut_short_) return;
    auto sums = every_rank_sums(ctx, ctx.stop_requested() && !interrupted_);
    const bool stop = sums.back() > 0;
    sums.pop_back();
    written_ = {ctx.epoch(), ctx.batch() + 1};  // known on every rank: after_batches then agrees
    if (rank_of(ctx) != 0) return;
    state_dict d = position(ctx, ctx.epoch(), ctx.batch() + 1, ctx.step() + 1);
    d["running"] = state::numbers(sums);
    d["ranks"] = std::to_string(ranks_of(ctx));
    d["stop"] = stop ? "1" : "0";
    write(ctx, std::move(d), ctx.epoch(), ctx.batch() + 1);
  }

  void on_test_begin(auto& ctx) { after_batches(ctx); }

  void on_epoch_end(auto& ctx) {
    after_batches(ctx);
    // An epoch a signal cut short is not one to resume after (its backup was made at the cut, or,
    // with stop_on_signal listed after this callback, the previous backup stays).
    const auto steps = ctx.params().steps;
    const bool partial = cut_short_ || (interrupted_ && (steps == 0 || ctx.batch() < steps));
    cut_short_ = false;
    if (opts_.save_freq.per_epoch && !partial && rank_of(ctx) == 0)
      write(ctx, position(ctx, ctx.epoch() + 1, 0, ctx.step()), ctx.epoch() + 1, 0);
  }

  /// A signal stopped the run (stop_on_signal): its backups are kept, and an epoch it cut short is
  /// not one to resume after.
  void on(const signal_received&, auto&) { interrupted_ = true; }

  void on_train_end(auto& ctx) {
    if (ctx.state().stop_reason == stop_reason::signal) interrupted_ = true;  // on any rank
    if (opts_.delete_checkpoint && !interrupted_ && rank_of(ctx) == 0) remove_backups();
  }

  /// Where the last fit resumed: the epoch, and the batches of it the backup already held.
  [[nodiscard]] const std::optional<resume_point>& resumed_from() const noexcept { return restored_; }
  /// Why the newest backup could not be used, when fit fell back to the previous one.
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

 private:
  template <class Ctx>
  static constexpr bool distributed = distributed_learner<typename std::remove_cvref_t<Ctx>::learner_type>;
  static int rank_of(auto& ctx) {
    if constexpr (distributed<decltype(ctx)>)
      return ctx.learner().communicator().rank();
    else
      return 0;
  }
  static std::size_t ranks_of(auto& ctx) {
    if constexpr (distributed<decltype(ctx)>)
      return static_cast<std::size_t>(ctx.learner().communicator().size());
    else
      return 1;
  }

  // The epoch's training sums so far of every rank, rank after rank (each resumes its own, so
  // the resumed epoch adds exactly as an unbroken one), then 1 if a rank `asks_to_stop`.
  static std::vector<double> every_rank_sums(auto& ctx, bool asks_to_stop) {
    const auto mine = ctx.state().running;
    std::vector<double> all(mine.size() * ranks_of(ctx) + 1, 0.0);
    std::copy(mine.begin(), mine.end(), all.begin() + static_cast<std::ptrdiff_t>(mine.size()) * rank_of(ctx));
    all.back() = asks_to_stop ? 1 : 0;
    if constexpr (distributed<decltype(ctx)>) ctx.learner().communicator().allreduce_sum(std::span<double>(all));
    return all;
  }
  // This rank's sums from a backup's: its own, when as many ranks made the backup; otherwise
  // (resumed on another number of ranks) all of them on rank 0, to float rounding.
  static std::vector<double> own_sums(auto& ctx, const std::vector<double>& saved, std::size_t saved_ranks,
                                      const std::string& owner) {
    if (saved_ranks == 0 || saved.size() % saved_ranks != 0)
      throw std::runtime_error("cue: backup_and_restore: " + owner + " holds " + std::to_string(saved.size()) +
                               " training sums, not a multiple of its " + std::to_string(saved_ranks) + " ranks");
    const std::size_t n = saved.size() / saved_ranks;
    const auto rank = static_cast<std::size_t>(rank_of(ctx));
    std::vector<double> own(n, 0.0);
    if (saved_ranks == ranks_of(ctx))
      std::copy_n(saved.begin() + static_cast<std::ptrdiff_t>(rank * n), n, own.begin());
    else if (rank == 0)
      for (std::size_t r = 0; r < saved_ranks; ++r)
        for (std::size_t i = 0; i < n; ++i) own[i] += saved[r * n + i];
    return own;
  }

  // Resumes from the newest usable backup, if any; returns its directory (empty: none).
  std::filesystem::path resume(auto& ctx) {
    const std::filesystem::path dir = opts_.backup_dir;
    bool found = false;
    for (const char* name : {"current", "previous"}) {
      const auto backup = dir / name;
      if (!std::filesystem::exists(backup / "state.npz")) continue;
      found = true;
      try {
        restore(ctx, backup, true);
        return backup;
      } catch (const detail::backup_mismatch&) {
        throw;
      } catch (const std::exception& e) {
        last_error_ = e.what();  // damaged: try the previous backup
      }
    }
    if (found)
      throw std::runtime_error("cue: backup_and_restore: no usable backup in " + dir.string() +
                               " (" + last_error_ + "); repair or remove it to start over");
    return {};
  }

  // Rank 0 resumes from its backup (an error there aborts the job, saying why); the others from
  // a copy of its state.npz, and their learners from rank 0's by fit's synchronize().
  void resume_every_rank(auto& ctx) {
    auto& comm = ctx.learner().communicator();
    const bool root = comm.rank() == 0;
    const auto used = root ? resume(ctx) : std::filesystem::path{};
    if (!comm.any(!used.empty())) return;
    const detail::scratch_directory scratch;
    broadcast_file(comm, used / "state.npz", scratch.path() / "state.npz");
    if (root) return;
    restore(ctx, scratch.path(), false);
  }

  // In a distributed fit, once the epoch's batches are over on every rank (at validation's
  // begin, or at the epoch's end without it): fit has agreed on the stop, and a signal on any
  // rank cut the epoch here. Rank 0 backs up at the cut, with the sums of every rank.
  void after_batches(auto& ctx) {
    if constexpr (distributed<decltype(ctx)>) {
      if (std::exchange(batches_over_, true)) return;
      if (!ctx.stop_requested() || ctx.state().stop_reason != stop_reason::signal) return;
      interrupted_ = true;
      const auto steps = ctx.params().steps;
      cut_short_ = steps == 0 || ctx.batch() < steps;
      const std::pair<int, std::size_t> at{ctx.epoch(), ctx.batch()};
      if (!cut_short_ || written_ == at) return;  // a due backup was made there (on every rank)
      auto sums = every_rank_sums(ctx, false);
      sums.pop_back();
      if (rank_of(ctx) != 0) return;
      state_dict d = position(ctx, ctx.epoch(), ctx.batch(), ctx.step());
      d["running"] = state::numbers(sums);
      d["ranks"] = std::to_string(ranks_of(ctx));
      d["stop"] = "0";
      write(ctx, std::move(d), ctx.epoch(), ctx.batch());
    }
  }

  // A tracked object, whatever its type.
  struct part {
    const void* address;
    std::string key;
    std::function<state_dict()> save;
    std::function<void(const state_dict&)> load;
  };

  // What it tracks: every stateful callback of the fit (in the order they hear events; not inside
  // in_background, whose callback runs on its worker), the fit's training data when it keeps a
  // state, and the objects it was given; each once, keyed by state_key() (#2 for a second of one).
  void collect(auto& ctx) {
    parts_.clear();
    auto add_part = [&](const void* address, std::string key, std::function<state_dict()> save,
                        std::function<void(const state_dict&)> load) {
      for (const auto& p : parts_)
        if (p.address == address) return;
      parts_.push_back({address, std::move(key), std::move(save), std::move(load)});
    };
    auto add_object = [&](auto& object) {
      using T = std::remove_cvref_t<decltype(object)>;
      if constexpr (stateful<T> && has_state_key<T>)
        add_part(&object, std::string(object.state_key()), [&object] { return object.state_dict(); },
                 [&object](const state_dict& d) { object.load_state_dict(d); });
    };
    if constexpr (requires { ctx.root(); })
      for_each_part(ctx.root(), [&](auto& c) {
        if (static_cast<const void*>(&c) != this) add_object(c);
      });
    if (const stateful_data data = ctx.state().training_data; data.object)
      add_part(data.object, data.key(data.object),
               [data] {
                 state_dict d;
                 data.save(data.object, &d);
                 return d;
               },
               [data](const state_dict& d) { data.load(data.object, &d); });
    std::apply([&](auto*... t) { (add_object(*t), ...); }, tracked_);
    std::vector<std::string> keys;
    for (const auto& p : parts_) keys.push_back(p.key);
    keys_ = numbered(std::move(keys));
  }

  // Each tracked object's state, under `<its key>.`; the keys under `tracked`.
  [[nodiscard]] state_dict tracked_states() const {
    state_dict d;
    for (std::size_t i = 0; i < parts_.size(); ++i) add(d, keys_[i] + '.', parts_[i].save());
    d["tracked"] = joined(keys_);
    d["layout"] = std::to_string(layout);
    return d;
  }

  // The layout of state.npz: 2 keys tracked states by state_key(); 1 (before) by C++ type names.
  static constexpr int layout = 2;

  // Each tracked object's key; a second of the same key is told apart by its place among them
  // ("early_stopping[val_loss]#2").
  template <class T>
  static std::string key_of(const T& tracked) {
    if constexpr (has_state_key<T>)
      return std::string(tracked.state_key());
    else
      return {};  // check_trackable has reported it: one error, not two
  }
  static std::vector<std::string> keys_of(Tracked&... tracked) {
    return numbered({key_of(tracked)...});
  }
  // The keys checked, a second of one key told apart as `key#2`, a third `key#3`.
  static std::vector<std::string> numbered(std::vector<std::string> raw) {
    std::vector<std::string> keys;
    for (auto& key : raw) {
      if (key.empty() || key.find_first_of(". \t\n") != std::string::npos)
        throw std::invalid_argument("cue: backup_and_restore: the state key '" + key +
                                    "' is empty or has a '.' or whitespace; return a plain name from state_key()");
      const auto same = std::count_if(keys.begin(), keys.end(), [&](const std::string& k) {
        return k == key || k.starts_with(key + '#');
      });
      if (same > 0) key += '#' + std::to_string(same + 1);
      keys.push_back(std::move(key));
    }
    return keys;
  }
  static std::vector<std::string> sorted_words(const std::string& text) {
    std::vector<std::string> words;
    for (std::size_t at = 0; at < text.size();) {
      const auto end = std::min(text.find(' ', at), text.size());
      words.push_back(text.substr(at, end - at));
      at = end + 1;
    }
    std::sort(words.begin(), words.end());
    return words;
  }
  static std::string joined(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : " ") + k;
    return out;
  }

  state_dict position(auto& ctx, int epoch, std::size_t batch, std::size_t step) const {
    state_dict d = tracked_states();
    d["epoch"] = std::to_string(epoch);
    d["batch"] = std::to_string(batch);
    d["step"] = std::to_string(step);
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (has_learning_rate<learner_type>) d["learning_rate"] = state::number(ctx.learner().learning_rate());
    return d;
  }

  // Resumes from `backup`'s state.npz, and the learner from its learner.npz when `with_learner`.
  void restore(auto& ctx, const std::filesystem::path& backup, bool with_learner) {
    const auto file = io::load_archive(backup / "state.npz", "backup");
    const auto& d = file.values;
    check_tracked(d, backup);
    std::string owner = "the backup ";
    owner += backup.string();
    resume_point at{true, state::integer_at<int>(d, "epoch", owner), state::integer_at<std::size_t>(d, "batch", owner), {}};
    // (A batch past the epoch's end is fit's to refuse: the data changed, not the backup.)
    const auto step = state::to_count(state::at(d, "step", owner));
    if (at.batch > 0) {
      const auto ranks = d.find("ranks");
      at.running = own_sums(ctx, state::to_numbers<double>(state::at(d, "running", owner)),
                            ranks == d.end() ? 1 : state::integer_at<std::size_t>(d, "ranks", owner, 1, 1 << 20), owner);
    }
    if (with_learner) ctx.learner().load(backup / "learner.npz");  // last: it changes the learner
    using learner_type = std::remove_cvref_t<decltype(ctx.learner())>;
    if constexpr (has_learning_rate<learner_type>) {
      if (auto it = d.find("learning_rate"); it != d.end()) {
        const double rate = state::to_double(it->second);
        if (!std::isfinite(rate) || rate < 0)
          throw std::runtime_error("cue: backup_and_restore: " + owner + " holds the learning rate " + it->second +
                                   ", which is not a finite number >= 0");
        ctx.learner().set_learning_rate(rate);
      }
    }
    ctx.state().step = step;
    if (at.batch > 0) ctx.state().stop = state::at(d, "stop", owner) == "1";
    pending_ = d;
    restored_ = at;
    ctx.state().resume = std::move(at);
  }

  static void add(state_dict& d, const std::string& prefix, const state_dict& part) {
    for (const auto& [k, v] : part) d[prefix + k] = v;
  }
  void check_tracked(const state_dict& d, const std::filesystem::path& backup) const {
    auto mismatch = [&](const std::string& what) {
      return detail::backup_mismatch("cue: backup_and_restore: the backup in " + backup.string() + " " + what +
                                     "; resume with the same callbacks and data, or remove the backup");
    };
    const auto it = d.find("layout");
    if (it == d.end() || it->second != std::to_string(layout))
      throw mismatch("was written by another version of cue (backup layout " +
                     (it == d.end() ? std::string("1") : it->second) + ", this cue reads layout " +
                     std::to_string(layout) + ")");
    const auto& saved = state::at(d, "tracked", "backup_and_restore");
    if (sorted_words(saved) != sorted_words(joined(keys_)))  // in any order: each has its key
      throw mismatch("tracks [" + saved + "] and this run tracks [" + joined(keys_) + "]");
  }

  // Writes a backup from which a resume starts at `epoch` after its first `batch` batches, then
  // tells the fit's listeners (cue::backup_saved).
  void write(auto& ctx, state_dict d, int epoch, std::size_t batch) {
    write(ctx.learner(), std::move(d));
    emit_if_heard<backup_saved>(ctx, [&] {
      return backup_saved{(std::filesystem::path(opts_.backup_dir) / "current").string(), epoch, batch};
    });
  }
  template <class L>
  void write(L& learner, state_dict d) {
    namespace fs = std::filesystem;
    const fs::path dir = opts_.backup_dir;
    fs::create_directories(dir);
    io::temporary_directory incoming(dir);  // locked while written: a later run never takes it for a dead one's
    learner.save(incoming.path() / "learner.npz");
    io::detail::fsync_path(incoming.path() / "learner.npz", false);  // any learner's file, not only cue's
    io::detail::fsync_path(incoming.path(), true);
    io::save_archive(incoming.path() / "state.npz", {"backup", std::move(d), {}});  // fsyncs it and the directory
    // current -> previous, incoming -> current: at every instant one complete backup exists.
    fs::remove_all(dir / "previous");
    if (fs::exists(dir / "current")) fs::rename(dir / "current", dir / "previous");
    io::detail::fsync_path(dir, true);
    fs::rename(incoming.path(), dir / "current");
    incoming.keep();
    io::detail::fsync_path(dir, true);
    if (!opts_.double_checkpoint) fs::remove_all(dir / "previous");
  }

  // What it wrote, and only that: the backups, then backup_dir itself if nothing else is in it
  // (the user's files beside the backups stay, with the directory).
  void remove_backups() const {
    namespace fs = std::filesystem;
    const fs::path dir = opts_.backup_dir;
    std::error_code ignored;
    for (const char* name : {"current", "previous"}) fs::remove_all(dir / name, ignored);
    io::remove_abandoned(dir);
    fs::remove(dir, ignored);  // only when empty
  }

  options opts_;
  std::tuple<Tracked*...> tracked_;
  std::vector<part> parts_;  // what it tracks in this fit, found at train begin
  std::vector<std::string> keys_;
  batch_counter counter_;
  bool cut_short_ = false;  // a signal stopped this epoch's batches
  bool batches_over_ = false;  // after_batches has run in this epoch
  std::pair<int, std::size_t> written_{-1, 0};  // where the last batch-end backup resumes
  bool interrupted_ = false;  // stop_on_signal said a signal asked to stop
  std::optional<state_dict> pending_;  // the tracked states, applied at the resumed epoch's begin
  std::optional<resume_point> restored_;
  std::string last_error_;
};

}  // namespace cue
