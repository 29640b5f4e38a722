// Every case recorded from Keras 3 itself (tests/parity/keras_cases.json; the semantics in docs/keras_semantics.md):
// the same configuration and logs replayed through cue's callbacks must give what Keras did.
// The replay emits events as Keras's trainer does (a user's own loop, through cue::emit), so a
// case's per-epoch and per-batch logs reach the callbacks exactly as recorded.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/callbacks.hpp>
#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>
#include <cue/context.hpp>

using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

double number(const json& v) {
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s == "nan") return std::nan("");
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    FAIL("unknown number encoding " << s);
  }
  return v.get<double>();
}

std::optional<double> optional_number(const json& v) {
  if (v.is_null()) return std::nullopt;
  return number(v);
}

// The fake model of the recorder: its weights are the index of the epoch that produced them
// (-1 before training); its learning rate is stored as float32, like a Keras variable.
struct fake_model {
  int weights = -1;
  double lr = static_cast<float>(0.01);
  std::optional<int> restored;
  std::vector<std::string> kinds;

  int state() const { return weights; }
  void load_state(int w) {
    weights = w;
    restored = w;
  }
  double learning_rate() const { return lr; }
  void set_learning_rate(double v) { lr = static_cast<float>(v); }
  void save(const fs::path& p) { write(p, "model"); }
  void save_weights(const fs::path& p) { write(p, "weights"); }
  void load(const fs::path&) {}
  void load_weights(const fs::path&) {}
  void write(const fs::path& p, const char* kind) {
    std::ofstream(p) << weights;
    kinds.emplace_back(kind);
  }
};

using train_logs = cue::logs<"loss", "accuracy", "mae">;
using epoch_logs =
    cue::logs<"loss", "accuracy", "mae", "val_loss", "val_accuracy", "val_mae", "learning_rate">;

struct outcome {
  std::optional<int> stopped_epoch;
  int epochs_run = 0;
  int final_weights = -1;
  std::optional<int> restored;
  std::vector<double> lr, history_lr;
  std::vector<int> saved_epochs;
  std::vector<std::optional<int>> saved_batches;
  std::vector<std::string> saved_paths, saved_kind;
};

template <class L>
L logs_from(const json& entry, const std::string& prefix) {
  L out;
  out.values.fill(std::nan(""));
  for (std::size_t i = 0; i < L::size; ++i) {
    const std::string key = prefix + std::string(L::names[i]);
    if (entry.contains(key)) out.values[i] = number(entry[key]);
  }
  return out;
}

template <class Callback>
outcome replay(Callback& cb, fake_model& model, const json& epochs, const json& c,
               const fs::path& dir) {
  outcome out;
  cue::run_state state;
  state.params.initial_epoch = epochs.front()["epoch"].get<int>();
  state.params.epochs = epochs.back()["epoch"].get<int>() + 1;
  state.params.steps = c.value("steps_per_epoch", 1);
  state.params.epoch_log_names = epoch_logs::names;
  state.params.batch_log_names = train_logs::names;
  std::size_t saves = 0;
  auto note_save = [&](int epoch, std::optional<int> batch) {
    if constexpr (requires { cb.save_count(); }) {
      if (cb.save_count() == saves) return;
      saves = cb.save_count();
      out.saved_epochs.push_back(epoch);
      out.saved_batches.push_back(batch);
      out.saved_paths.push_back(fs::relative(cb.last_saved(), dir).generic_string());
    }
  };

  cue::logs<> none;
  cue::context begin(state, model, none);
  cue::emit(cue::event::train_begin{}, cb, begin);
  epoch_logs last;
  bool ran = false;
  for (std::size_t e = 0; e < epochs.size(); ++e) {
    const json& entry = epochs[e];
    state.epoch = entry["epoch"].get<int>();
    state.validated = false;
    cue::emit(cue::event::epoch_begin{}, cb, begin);
    ++out.epochs_run;
    for (int b = 0; b < static_cast<int>(state.params.steps); ++b) {
      state.batch = static_cast<std::size_t>(b);
      cue::emit(cue::event::train_batch_begin{}, cb, begin);
      auto batch_logs = c.contains("batch_logs") ? logs_from<train_logs>(c["batch_logs"][e][b], "")
                                                 : logs_from<train_logs>(entry, "");
      cue::context batch_ctx(state, model, batch_logs);
      cue::emit(cue::event::train_batch_end{}, cb, batch_ctx);
      note_save(state.epoch, b);
      ++state.step;
      if (state.stop) break;
    }
    bool validation = false;
    for (const auto& [key, value] : entry.items()) validation |= key.starts_with("val_");
    if (validation) {
      auto val = logs_from<train_logs>(entry, "val_");
      cue::context val_ctx(state, model, val);
      state.batch = 0;
      cue::emit(cue::event::test_begin{}, cb, begin);
      cue::emit(cue::event::test_batch_begin{}, cb, begin);
      cue::emit(cue::event::test_batch_end{}, cb, val_ctx);
      cue::emit(cue::event::test_end{}, cb, val_ctx);
      state.validated = true;
    }
    model.weights = state.epoch;
    epoch_logs logs = logs_from<epoch_logs>(entry, "");
    cue::get<"learning_rate">(logs) = model.lr;  // the rate this epoch trained with
    cue::context end(state, model, logs);
    cue::emit(cue::event::epoch_end{}, cb, end);
    note_save(state.epoch, std::nullopt);
    out.history_lr.push_back(cue::get<"learning_rate">(logs));
    out.lr.push_back(model.lr);
    last = logs;
    ran = true;
    if (state.stop) {
      out.stopped_epoch = state.epoch;
      break;
    }
  }
  if (ran) {
    cue::context end(state, model, last);
    cue::emit(cue::event::train_end{}, cb, end);
  }
  out.final_weights = model.weights;
  out.restored = model.restored;
  out.saved_kind = model.kinds;
  return out;
}

cue::mode mode_of(const json& params) {
  const auto m = params.value("mode", std::string("auto"));
  if (m == "min") return cue::mode::min;
  if (m == "max") return cue::mode::max;
  return cue::mode::automatic;
}

void check_known(const json& params, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : params.items()) {
    bool ok = false;
    for (const char* k : known) ok |= key == k;
    INFO("parameter " << key);
    REQUIRE(ok);
  }
}

void check_outcome(const outcome& got, const json& expect) {
  if (expect["stopped_epoch"].is_null())
    CHECK_FALSE(got.stopped_epoch);
  else
    CHECK(got.stopped_epoch == expect["stopped_epoch"].get<int>());
  CHECK(got.epochs_run == expect["stop_after_epochs_run"].get<int>());
  if (expect["restored_weights_epoch"].is_null())
    CHECK_FALSE(got.restored);
  else
    CHECK(got.restored == expect["restored_weights_epoch"].get<int>());
  CHECK(got.final_weights == expect["final_weights_epoch"].get<int>());
  const auto& lr = expect["lr"];
  REQUIRE(got.lr.size() == lr.size());
  for (std::size_t i = 0; i < lr.size(); ++i) {
    INFO("lr after epoch index " << i);
    CHECK(got.lr[i] == Approx(number(lr[i])).epsilon(1e-6));
  }
  if (expect.contains("history_learning_rate")) {
    const auto& h = expect["history_learning_rate"];
    REQUIRE(got.history_lr.size() == h.size());
    for (std::size_t i = 0; i < h.size(); ++i)
      CHECK(got.history_lr[i] == Approx(number(h[i])).epsilon(1e-6));
  }
  CHECK(got.saved_epochs == expect["saved_epochs"].get<std::vector<int>>());
  std::vector<std::optional<int>> batches;
  for (const auto& b : expect["saved_batches"])
    batches.push_back(b.is_null() ? std::nullopt : std::optional<int>(b.get<int>()));
  CHECK(got.saved_batches == batches);
  CHECK(got.saved_paths == expect["saved_paths"].get<std::vector<std::string>>());
  if (expect.contains("saved_kind"))
    CHECK(got.saved_kind == expect["saved_kind"].get<std::vector<std::string>>());
}

template <cue::fixed_string Monitor>
void run_case(const json& c, const fs::path& dir) {
  const json& p = c["params"];
  const std::string kind = c["callback"];
  fake_model model;
  if (c.contains("model") && c["model"].contains("initial_lr"))
    model.lr = static_cast<float>(c["model"]["initial_lr"].get<double>());
  // Where Keras's float32 comparison and a double comparison disagree, cue (double logs) must
  // match Keras's float64 outcome, which the corpus records as expect_float64.
  json expect = c["expect"];
  if (c.value("precision_sensitive", false))
    for (const auto& [key, value] : c["expect_float64"].items()) expect[key] = value;

  auto run = [&](auto& cb) {
    check_outcome(replay(cb, model, c["logs"], c, dir), expect);
    if (c.contains("refit_logs")) {
      INFO("second fit with the same callback and model");
      model.restored.reset();
      model.kinds.clear();
      json refit = c["expect_refit"];
      check_outcome(replay(cb, model, c["refit_logs"], c, dir), refit);
    }
  };

  if (kind == "early_stopping") {
    check_known(p, {"monitor", "min_delta", "patience", "verbose", "mode", "baseline",
                    "restore_best_weights", "start_from_epoch"});
    cue::early_stopping<Monitor> cb({.min_delta = p.value("min_delta", 0.0),
                                     .patience = p.value("patience", 0),
                                     .verbose = p.value("verbose", 0),
                                     .mode = mode_of(p),
                                     .baseline = p.contains("baseline")
                                                     ? optional_number(p["baseline"])
                                                     : std::nullopt,
                                     .restore_best_weights = p.value("restore_best_weights", false),
                                     .start_from_epoch = p.value("start_from_epoch", 0)});
    run(cb);
  } else if (kind == "reduce_lr_on_plateau") {
    check_known(p, {"monitor", "factor", "patience", "verbose", "mode", "min_delta", "cooldown",
                    "min_lr"});
    cue::reduce_lr_on_plateau<Monitor> cb({.factor = p.value("factor", 0.1),
                                           .patience = p.value("patience", 10),
                                           .verbose = p.value("verbose", 0),
                                           .mode = mode_of(p),
                                           .min_delta = p.value("min_delta", 1e-4),
                                           .cooldown = p.value("cooldown", 0),
                                           .min_lr = p.value("min_lr", 0.0)});
    run(cb);
  } else if (kind == "model_checkpoint") {
    check_known(p, {"filepath", "monitor", "verbose", "save_best_only", "save_weights_only",
                    "mode", "save_freq", "initial_value_threshold"});
    cue::save_frequency freq;
    if (p.contains("save_freq") && p["save_freq"].is_number_integer())
      freq = p["save_freq"].get<int>();
    cue::model_checkpoint<Monitor> cb(
        {.filepath = (dir / p["filepath"].get<std::string>()).string(),
         .verbose = p.value("verbose", 0),
         .save_best_only = p.value("save_best_only", false),
         .save_weights_only = p.value("save_weights_only", false),
         .mode = mode_of(p),
         .save_freq = freq,
         .initial_value_threshold = p.contains("initial_value_threshold")
                                        ? optional_number(p["initial_value_threshold"])
                                        : std::nullopt});
    run(cb);
  } else {
    FAIL("no such callback: " << kind);
  }
}

}  // namespace

TEST_CASE("every Keras 3 parity case") {
  std::ifstream in(CUE_PARITY_CASES);
  REQUIRE(in);
  const json corpus = json::parse(in);
  REQUIRE(corpus["cases"].size() == 44);
  for (const auto& c : corpus["cases"]) {
    const std::string name = c["name"];
    DYNAMIC_SECTION(name) {
      const fs::path dir = fs::temp_directory_path() / ("cue-parity-" + name);
      fs::remove_all(dir);
      fs::create_directories(dir);
      const std::string monitor = c["params"].value("monitor", std::string("val_loss"));
      if (monitor == "val_loss")
        run_case<"val_loss">(c, dir);
      else if (monitor == "val_accuracy")
        run_case<"val_accuracy">(c, dir);
      else if (monitor == "val_mae")
        run_case<"val_mae">(c, dir);
      else if (monitor == "loss")
        run_case<"loss">(c, dir);
      else
        FAIL("add the monitor " << monitor << " to the dispatch");
      fs::remove_all(dir);
    }
  }
}
