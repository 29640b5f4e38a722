// cue::summary_report: at the end of a run, and when it fails, what happened in summary.json and
// summary.md. Needs nlohmann-json (Debian: nlohmann-json3-dev); not included by <cue/cue.hpp>.
#pragma once

#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif

#include <nlohmann/json.hpp>

#include <cue/alerts/message.hpp>
#include <cue/context.hpp>
#include <cue/epoch_table.hpp>
#include <cue/io/atomic_file.hpp>
#include <cue/json.hpp>
#include <cue/monitor.hpp>
#include <cue/options.hpp>
#include <cue/progbar_number.hpp>
#include <cue/python_format.hpp>
#include <cue/reporter.hpp>
#include <cue/run_events.hpp>
#include <cue/state.hpp>
#include <cue/stop_reason.hpp>
#include <cue/worker.hpp>

namespace cue {

/// Options of `cue::summary_report`.
struct summary_report_options {
  std::string directory = ".";        ///< where summary.json and summary.md are written
  std::string curves = "curves.svg";  ///< linked from summary.md when it exists there (training_curves)
  /// Where the summary is also sent, at train end and on failure (cue::alert's sinks: Slack, WeCom,
  /// DingTalk, Teams, a webhook, e-mail, a command).
  std::vector<alert_sink> sinks{};
  std::string run{};                                  ///< the run's name, shown in what is sent
  std::chrono::duration<double> push_timeout{10.0};   ///< how long sending may hold the end of training
  std::ostream* log = &std::cerr;                     ///< where failed sends are reported
};

template <std::same_as<summary_report_options> O>
constexpr auto fields_of(std::type_identity<O>) {
  return describe("summary_report_options", field{"directory", &O::directory},
                  field{"curves", &O::curves}, field{"run", &O::run},
                  field{"push_timeout", &O::push_timeout});
}

/// Writes `summary.json` and `summary.md` into `directory` at train end and on exception (a
/// failing run still says how it failed). The JSON holds: `status` (`success`: every planned
/// epoch ran and no stop was asked; `stopped`: a stop was requested, whatever the reason;
/// `failed`: an exception), `stop_reason` and `stop_message`, `epochs_run` (counting those before
/// a resume: the last epoch's 0-based index + 1), `resumed_from` (the first epoch of this fit when
/// it was not 0, else null), `epochs_planned`, `duration_s`, `final` and `best` (per metric: value
/// and 0-based epoch; `best` for names whose direction cue's mode rule knows), `monitored` (where
/// the metric the checkpoints monitored, else val_loss, else loss, ended against its best:
/// `metric`, `mode`, `final`, `best`, `at_best`, `from_best`; null without one), `checkpoints`
/// (path, epoch, score, best of every `cue::checkpoint_saved` heard; `deleted` when top-k removed
/// the file since (cue::checkpoint_removed), `remote` where mirror_checkpoints copied it
/// (cue::checkpoint_uploaded), else null) and `error` (type and
/// message, or null). The Markdown shows the same and the per-epoch table (epochs 1-based,
/// numbers as Keras's progress bar prints them, `nan` for NaN, empty where nothing was measured),
/// and links the curves when that file exists.
///
/// With `sinks`, the summary is also sent through each (the same message cue::alert sends:
/// status, stop reason and message, epochs, duration, where the monitored metric ended against
/// its best (the title says when it did not end at its best), the best checkpoint, the error) on a cue::worker, for at most `push_timeout`: then the sending
/// is cancelled (cue::cancel_grace more at most); what fails is reported on `log`.
///
/// Everything is written through cue's JSON encoder: text that is not UTF-8 (an exception's
/// message) has its stray bytes replaced, and a checkpoint path that is not UTF-8 is kept exactly
/// in `path_hex` beside `path` (cue::json::put_path).
///
/// Kept by backup_and_restore, a resumed run's summary covers the epochs and checkpoints before
/// the resume too (`duration_s` is the last fit's).
///
/// Hooks: on_train_begin, on_epoch_begin, on_epoch_end, on_train_end, on_exception; listens to
/// cue::checkpoint_saved, cue::checkpoint_removed and cue::checkpoint_uploaded when callbacks
/// send them (list it after mirror_checkpoints, which announces its last copies at train end).
class summary_report {
 public:
  using writes_output = void;  ///< in a distributed fit, wrap it: cue::on_rank_zero
  using options = summary_report_options;
  using listens = cue::listens<cue::optional<checkpoint_saved>, cue::optional<checkpoint_removed>,
                               cue::optional<checkpoint_uploaded>>;

  explicit summary_report(options opts = {})
      : opts_(std::move(opts)), say_(reporter::make("summary_report", opts_.log)), sender_(sender_options(opts_)) {
    if (opts_.directory.empty())
      throw std::invalid_argument("cue: summary_report: directory is empty (\".\" is the working directory)");
    if (opts_.push_timeout.count() < 0) throw std::invalid_argument("cue: summary_report: push_timeout must be >= 0 seconds");
  }
  summary_report(summary_report&& other) noexcept
      : opts_(std::move(other.opts_)), start_(other.start_), table_(std::move(other.table_)),
        checkpoints_(std::move(other.checkpoints_)), first_epoch_(other.first_epoch_), planned_(other.planned_),
        initial_epoch_(other.initial_epoch_), last_(std::move(other.last_)), say_(std::move(other.say_)),
        sender_(sender_options(opts_)) {}
  ~summary_report() {
    sender_.close();
    if (say_) say_->silence();  // a send left running writes nothing after
  }

  void on_train_begin(auto& ctx) {
    io::remove_abandoned(opts_.directory);  // what a killed run was writing there
    start_ = std::chrono::steady_clock::now();
    table_.clear();
    checkpoints_.clear();
    first_epoch_.reset();
    planned_ = ctx.params().epochs;
    initial_epoch_ = ctx.params().initial_epoch;
  }
  void on_epoch_begin(auto& ctx) {
    if (!first_epoch_) first_epoch_ = ctx.epoch();
  }
  void on_epoch_end(auto& ctx) { table_.add(ctx); }
  void on(const checkpoint_saved& e, auto&) { checkpoints_.push_back({e}); }
  // Each file saved at this path so far is gone (top-k removed it; a later save there is not).
  void on(const checkpoint_removed& e, auto&) {
    for (auto& c : checkpoints_)
      if (c.path == e.path) c.deleted = true;
  }
  // The copy is of the latest save at that path.
  void on(const checkpoint_uploaded& e, auto&) {
    for (auto c = checkpoints_.rbegin(); c != checkpoints_.rend(); ++c)
      if (c->path == e.path) {
        c->remote = e.uri;
        break;
      }
  }

  void on_train_end(auto& ctx) {
    const auto& s = ctx.state();
    write(s.stop_reason != stop_reason::not_stopped || s.stop ? "stopped" : "success", s, nullptr);
  }
  void on_exception(auto& ctx) { write("failed", ctx.state(), ctx.exception()); }

  /// Its state for backup_and_restore (which finds it in the fit): the epochs and checkpoints of
  /// the run so far, so that a resumed run's summary covers the whole run.
  [[nodiscard]] static std::string state_key() { return "summary_report"; }
  [[nodiscard]] cue::state_dict state_dict() const {
    auto d = table_.save("epochs.");
    d["checkpoints"] = std::to_string(checkpoints_.size());
    for (std::size_t i = 0; i < checkpoints_.size(); ++i) {
      const auto& c = checkpoints_[i];
      const std::string k = checkpoint_key(i);
      d[k + "path"] = c.path;
      d[k + "epoch"] = std::to_string(c.epoch);
      d[k + "step"] = std::to_string(c.step);
      d[k + "monitor"] = c.monitor;
      d[k + "score"] = state::number(c.score);
      d[k + "best"] = std::to_string(c.best ? 1 : 0);
      d[k + "deleted"] = std::to_string(c.deleted ? 1 : 0);
      d[k + "remote"] = c.remote;
    }
    return d;
  }
  void load_state_dict(const cue::state_dict& d) {
    const std::string owner = "summary_report";
    table_.load(d, owner, "epochs.");
    checkpoints_.clear();
    for (std::size_t i = 0, n = state::to_count(state::at(d, "checkpoints", owner)); i < n; ++i) {
      const std::string k = checkpoint_key(i);
      checkpoints_.push_back({{state::at(d, k + "path", owner), state::integer_at<int>(d, k + "epoch", owner),
                               state::to_count(state::at(d, k + "step", owner)), state::at(d, k + "monitor", owner),
                               state::to_optional(state::at(d, k + "score", owner)), state::at(d, k + "best", owner) == "1"}});
      // (absent in backups of earlier versions)
      if (const auto deleted = d.find(k + "deleted"); deleted != d.end()) checkpoints_.back().deleted = deleted->second == "1";
      if (const auto remote = d.find(k + "remote"); remote != d.end()) checkpoints_.back().remote = remote->second;
    }
  }

  static std::string checkpoint_key(std::size_t i) {  // += : GCC 12 warns falsely on "literal" + string
    std::string k = "checkpoints.";
    k += std::to_string(i);
    k += '.';
    return k;
  }

  /// The last summary written, as JSON.
  [[nodiscard]] const nlohmann::ordered_json& summary() const noexcept { return last_; }
  [[nodiscard]] const options& config() const noexcept { return opts_; }

 private:
  static nlohmann::ordered_json number_or_null(std::optional<double> v) {
    return v ? json::number(*v) : nullptr;  // JSON has no NaN or infinity
  }
  static worker_options sender_options(const options& o) { return {.capacity = 1, .drain_timeout = o.push_timeout}; }

  void write(const char* status, const run_state& s, std::exception_ptr error) {
    using json = nlohmann::ordered_json;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int epochs_run = table_.empty() ? first_epoch_.value_or(initial_epoch_) : table_.rows().back().epoch + 1;
    const int first = first_epoch_.value_or(initial_epoch_);
    json j;
    j["status"] = status;
    j["stop_reason"] = std::string(name(s.stop_reason));
    j["stop_message"] = s.stop_message;
    j["epochs_run"] = epochs_run;
    j["resumed_from"] = first > 0 ? json(first) : json(nullptr);
    j["epochs_planned"] = planned_;
    j["duration_s"] = seconds;
    json final_values = json::object(), best_values = json::object();
    for (std::size_t c = 0; c < table_.names().size(); ++c) {
      const auto& n = table_.names()[c];
      if (auto p = table_.last(c)) final_values[n] = {{"value", number_or_null(p->value)}, {"epoch", p->epoch}};
      if (auto p = table_.best(c)) best_values[n] = {{"value", number_or_null(p->value)}, {"epoch", p->epoch}};
    }
    j["final"] = std::move(final_values);
    j["best"] = std::move(best_values);
    j["monitored"] = monitored();
    json saved = json::array();
    for (const auto& c : checkpoints_) {
      json entry;
      cue::json::put_path(entry, "path", c.path);
      entry["epoch"] = c.epoch;
      entry["score"] = number_or_null(c.score);
      entry["best"] = c.best;
      entry["deleted"] = c.deleted;
      entry["remote"] = c.remote.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(cue::json::replaced_utf8(c.remote));
      saved.push_back(std::move(entry));
    }
    j["checkpoints"] = std::move(saved);
    j["error"] = error ? describe_error(error) : json(nullptr);

    const std::filesystem::path dir = opts_.directory;
    io::write_atomically(dir / "summary.json", [&](const std::filesystem::path& tmp) {
      io::detail::write_file(tmp, cue::json::dump(j, 2) + "\n");
    });
    io::write_atomically(dir / "summary.md", [&](const std::filesystem::path& tmp) {
      io::detail::write_file(tmp, cue::json::replaced_utf8(markdown(j, dir)));
    });
    last_ = std::move(j);
    if (!opts_.sinks.empty()) push(last_);
  }

  // The summary as an alert_message, sent through every sink on a worker, for at most push_timeout.
  void push(const nlohmann::ordered_json& j) {
    alert_message m;
    m.kind = "summary";
    m.state = j["status"].get<std::string>();
    m.title = "training " + std::string(m.state == "success" ? "succeeded" : m.state);
    const auto& mon = j["monitored"];
    if (!mon.is_null() && !mon["at_best"].get<bool>())  // "succeeded" alone would read as good news
      m.title += ", " + mon["metric"].get<std::string>() + " not at its best";
    m.level = m.state == "success" ? alert_level::info : m.state == "stopped" ? alert_level::warning : alert_level::error;
    m.run = opts_.run;
    m.host = host_name();
    m.epoch = j["epochs_run"].get<int>() - 1;
    m.epochs = planned_;
    m.time = utc_now();
    m.details.emplace_back("status", m.state);
    if (j["stop_reason"] != "not_stopped")
      m.details.emplace_back("stopped because", j["stop_reason"].get<std::string>() + ": " + j["stop_message"].get<std::string>());
    m.details.emplace_back("duration", python_format_value(j["duration_s"].get<double>(), ".1f") + " s");
    if (!mon.is_null()) m.details.emplace_back(mon["metric"].get<std::string>(), outcome_text());
    for (auto c = checkpoints_.rbegin(); c != checkpoints_.rend(); ++c)
      if (c->best) {
        std::string where = c->path;
        if (c->deleted) where += " (deleted since)";
        if (!c->remote.empty()) where += ", copied to " + c->remote;
        m.details.emplace_back("best checkpoint", where);
        break;
      }
    if (!j["error"].is_null())
      m.details.emplace_back("error", j["error"]["type"].get<std::string>() + ": " + j["error"]["message"].get<std::string>());
    sender_.post([sinks = opts_.sinks, say = say_, m](std::stop_token stop) {
      bool all = true;
      for (const auto& sink : sinks) {
        if (stop.stop_requested()) return false;
        const std::string problem = sink.deliver(m, stop);
        if (problem.empty()) continue;
        all = false;
        if (!stop.stop_requested()) (*say)("could not send the summary to " + sink.describe() + ": " + problem);
      }
      return all;
    });
    const worker_end end = sender_.finish();
    if (!end.complete())
      (*say_)("sending the summary took longer than push_timeout (" + python_format_value(opts_.push_timeout.count(), "g") +
              " s); it was cancelled");
  }

  static nlohmann::ordered_json describe_error(std::exception_ptr error) {
    std::string type = "an exception not derived from std::exception", what;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      type = type_name(typeid(e));
      what = e.what();
    } catch (...) {  // NOLINT(bugprone-empty-catch): described above
    }
    return {{"type", type}, {"message", what}};
  }
  static std::string type_name(const std::type_info& t) {
#if __has_include(<cxxabi.h>)
    int status = 0;
    char* readable = abi::__cxa_demangle(t.name(), nullptr, nullptr, &status);
    if (status == 0 && readable) {
      std::string out = readable;
      std::free(readable);
      return out;
    }
#endif
    return t.name();
  }

  // The metric the checkpoints monitored, else val_loss, else loss: the first with a best.
  [[nodiscard]] std::optional<std::size_t> monitored_column() const {
    std::vector<std::string> candidates{"val_loss", "loss"};
    if (!checkpoints_.empty()) candidates.insert(candidates.begin(), checkpoints_.back().monitor);
    for (const auto& name : candidates)
      if (auto c = table_.column(name); c && table_.best(*c)) return c;
    return std::nullopt;
  }
  // Where the monitored metric ended against its best: `metric`, `mode`, `final` and `best`
  // (value and 0-based epoch), `at_best` (the final value is the best) and `from_best` (how much
  // worse it ended: final - best, null when not finite); null without such a metric.
  [[nodiscard]] nlohmann::ordered_json monitored() const {
    const auto c = monitored_column();
    if (!c) return nullptr;
    const auto best = *table_.best(*c);
    const auto last = *table_.last(*c);
    const bool down = direction_of(table_.names()[*c]) == mode::min;
    const double from_best = down ? last.value - best.value : best.value - last.value;
    return {{"metric", table_.names()[*c]},
            {"mode", down ? "min" : "max"},
            {"final", {{"value", number_or_null(last.value)}, {"epoch", last.epoch}}},
            {"best", {{"value", number_or_null(best.value)}, {"epoch", best.epoch}}},
            {"at_best", last.value == best.value},
            {"from_best", number_or_null(from_best)}};
  }
  // "ended at its best, 0.3830 at epoch 3", or "ended at 1.6170 (epoch 10), 1.2340 above its
  // best, 0.3830 at epoch 3" (below, for a metric that improves upwards).
  [[nodiscard]] std::string outcome_text() const {
    const auto c = *monitored_column();
    const auto best = *table_.best(c);
    const auto last = *table_.last(c);
    const std::string at_best = progbar_number(best.value) + " at epoch " + std::to_string(best.epoch + 1);
    if (last.value == best.value)
      return "ended at its best, " + at_best + (last.epoch == best.epoch ? "" : " and again at epoch " + std::to_string(last.epoch + 1));
    std::string out = "ended at " + progbar_number(last.value) + " (epoch " + std::to_string(last.epoch + 1) + "), ";
    if (std::isfinite(last.value)) {
      out += progbar_number(std::fabs(last.value - best.value));
      out += direction_of(table_.names()[c]) == mode::min ? " above" : " below";
      out += " its best, ";
    } else {
      out += "its best ";
    }
    return out + at_best;
  }

  // A cell of the Markdown: a number as Keras's progress bar prints it ("nan" for NaN).
  static std::string cell(const nlohmann::ordered_json& v) {
    if (v.is_null()) return "";
    if (v.is_number()) return progbar_number(v.get<double>());
    return v.is_string() ? v.get<std::string>() : v.dump();
  }

  // Appends its pieces to `out` (GCC 12 warns falsely, -Wrestrict, on "literal" + std::string).
  template <class... Pieces>
  static void put(std::string& out, const Pieces&... pieces) {
    (out += ... += pieces);
  }

  std::string markdown(const nlohmann::ordered_json& j, const std::filesystem::path& dir) const {
    using std::to_string;
    std::string md = "# Training summary\n\n| | |\n|---|---|\n";
    put(md, "| status | ", j["status"].get<std::string>(), " |\n");
    if (j["stop_reason"] != "not_stopped")
      put(md, "| stopped because | ", j["stop_reason"].get<std::string>(), ": ", j["stop_message"].get<std::string>(), " |\n");
    put(md, "| epochs | ", to_string(j["epochs_run"].get<int>()), " of ", to_string(planned_));
    if (!j["resumed_from"].is_null()) put(md, " (resumed at epoch ", to_string(j["resumed_from"].get<int>() + 1), ")");
    put(md, " |\n| duration | ", python_format_value(j["duration_s"].get<double>(), ".1f"), " s |\n");
    if (!j["monitored"].is_null()) put(md, "| ", j["monitored"]["metric"].get<std::string>(), " | ", outcome_text(), " |\n");
    if (!j["error"].is_null())
      put(md, "| error | ", j["error"]["type"].get<std::string>(), ": ", j["error"]["message"].get<std::string>(), " |\n");
    if (!opts_.curves.empty() && std::filesystem::exists(dir / opts_.curves))
      put(md, "\n![training curves](", opts_.curves, ")\n");
    if (!j["best"].empty()) {
      md += "\n## Best\n\n| metric | value | epoch |\n|---|---|---|\n";
      for (std::size_t c = 0; c < table_.names().size(); ++c)
        if (auto p = table_.best(c))
          put(md, "| ", table_.names()[c], " | ", progbar_number(p->value), " | ", to_string(p->epoch + 1), " |\n");
    }
    if (!table_.empty()) {
      md += "\n## Epochs\n\n| epoch |";
      for (const auto& n : table_.names()) put(md, " ", n, " |");
      md += "\n|---|";
      for (std::size_t i = 0; i < table_.names().size(); ++i) md += "---|";
      md += "\n";
      for (const auto& r : table_.rows()) {
        put(md, "| ", to_string(r.epoch + 1), " |");
        for (std::size_t c = 0; c < r.values.size(); ++c)  // empty: not measured; "nan": measured NaN
          put(md, " ", table_.measured(r, c) ? progbar_number(r.values[c]) : std::string(), " |");
        md += "\n";
      }
    }
    if (!j["checkpoints"].empty()) {
      md += "\n## Checkpoints\n\n| path | epoch | score | best | deleted | copy |\n|---|---|---|---|---|---|\n";
      for (const auto& c : j["checkpoints"])
        put(md, "| ", c["path"].get<std::string>(), " | ", to_string(c["epoch"].get<int>() + 1), " | ",
            cell(c["score"]), " | ", c["best"].get<bool>() ? "yes" : "", " | ", c["deleted"].get<bool>() ? "yes" : "",
            " | ", c["remote"].is_null() ? std::string() : c["remote"].get<std::string>(), " |\n");
    }
    return md;
  }

  options opts_;
  std::chrono::steady_clock::time_point start_{};
  epoch_table table_;
  // A checkpoint heard of, and what became of it since.
  struct kept_checkpoint : checkpoint_saved {
    bool deleted = false;  // top-k removed the file
    std::string remote{};  // where mirror_checkpoints copied it
  };
  std::vector<kept_checkpoint> checkpoints_;
  std::optional<int> first_epoch_;
  int planned_ = 0, initial_epoch_ = 0;
  nlohmann::ordered_json last_;
  std::shared_ptr<reporter> say_;
  worker sender_;  // last: it ends before the members above go
};

}  // namespace cue
