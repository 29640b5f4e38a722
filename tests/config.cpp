#include <cue/config.hpp>

#include <stdexcept>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include <cue/callbacks/clip_grad_norm.hpp>
#include <cue/callbacks/csv_logger.hpp>
#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/learning_rate_scheduler.hpp>
#include <cue/callbacks/progbar_logger.hpp>
#include <cue/callbacks/remote_monitor.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>
#include <cue/callbacks/terminate_on_nan.hpp>
#include <cue/callbacks/time_limit.hpp>
#include <cue/callbacks/clip_grad_value.hpp>
#include <cue/callbacks/tensorboard.hpp>
#include <cue/callbacks/training_curves.hpp>
#include <cue/fit.hpp>

using nlohmann::json;

TEST_CASE("every callback's options, and fit's, can be read from configuration") {
  STATIC_REQUIRE(cue::described_options<cue::early_stopping_options>);
  STATIC_REQUIRE(cue::described_options<cue::reduce_lr_on_plateau_options>);
  STATIC_REQUIRE(cue::described_options<cue::model_checkpoint_options>);
  STATIC_REQUIRE(cue::described_options<cue::terminate_on_nan_options>);
  STATIC_REQUIRE(cue::described_options<cue::learning_rate_scheduler_options>);
  STATIC_REQUIRE(cue::described_options<cue::csv_logger_options>);
  STATIC_REQUIRE(cue::described_options<cue::progbar_logger_options>);
  STATIC_REQUIRE(cue::described_options<cue::time_limit_options>);
  STATIC_REQUIRE(cue::described_options<cue::clip_grad_norm_options>);
  STATIC_REQUIRE(cue::described_options<cue::clip_grad_value_options>);
  STATIC_REQUIRE(cue::described_options<cue::fit_options>);
  STATIC_REQUIRE(cue::described_options<cue::tensorboard_options>);
  STATIC_REQUIRE(cue::described_options<cue::training_curves_options>);
}

TEST_CASE("tensorboard's and training_curves' options, hyperparameters included") {
  const auto tb = cue::options_from_json<cue::tensorboard_options>(json::parse(R"({
    "log_dir": "runs/a", "histogram_freq": 2, "update_freq": 100,
    "hparams": {"learning_rate": 0.001, "optimizer": "adam", "shuffle": true}})"));
  CHECK(tb.log_dir == "runs/a");
  CHECK(tb.histogram_freq == 2);
  CHECK(tb.update_freq.batches == 100);
  REQUIRE(tb.hparams.size() == 3);  // a JSON object's keys come sorted
  CHECK(tb.hparams[0] == std::pair<std::string, cue::hparam_value>{"learning_rate", 0.001});
  CHECK(tb.hparams[1] == std::pair<std::string, cue::hparam_value>{"optimizer", std::string("adam")});
  CHECK(tb.hparams[2] == std::pair<std::string, cue::hparam_value>{"shuffle", true});
  CHECK(cue::options_from_json<cue::tensorboard_options>(json::parse(R"({"update_freq": "epoch"})")).update_freq.per_epoch);
  CHECK_THROWS_WITH(cue::options_from_json<cue::tensorboard_options>(json::parse(R"({"hparams": {"layers": [1, 2]}})")),
                    Catch::Contains("option 'hparams.layers' of tensorboard_options must be a number, a string or a boolean"));
  const auto tc = cue::options_from_json<cue::training_curves_options>(json::parse(R"({"path": "c.svg", "mode": "max"})"));
  CHECK(tc.path == "c.svg");
  CHECK(tc.mode == cue::mode::max);
}

TEST_CASE("given fields are read, the others keep their defaults") {
  const auto es = cue::options_from_json<cue::early_stopping_options>(
      json::parse(R"({"patience": 3, "mode": "max", "baseline": 0.5, "restore_best_weights": true})"));
  CHECK(es.patience == 3);
  CHECK(es.mode == cue::mode::max);
  CHECK(es.baseline == 0.5);
  CHECK(es.restore_best_weights);
  CHECK(es.min_delta == 0);  // default
  const auto mc = cue::options_from_json<cue::model_checkpoint_options>(
      json::parse(R"({"filepath": "ckpt/{epoch:02d}.bin", "save_freq": 100, "save_top_k": 3})"));
  CHECK(mc.filepath == "ckpt/{epoch:02d}.bin");
  CHECK_FALSE(mc.save_freq.per_epoch);
  CHECK(mc.save_freq.batches == 100);
  CHECK(cue::options_from_json<cue::model_checkpoint_options>(json::parse(R"({"save_freq": "epoch"})"))
            .save_freq.per_epoch);
  CHECK(cue::options_from_json<cue::time_limit_options>(json::parse(R"({"max_time": 3600})"))
            .max_time.count() == 3600);
  CHECK(cue::options_from_json<cue::fit_options>(json::parse(R"({"epochs": 7})")).epochs == 7);
}

TEST_CASE("an unknown key or a wrong type is an error that names it") {
  CHECK_THROWS_WITH(
      cue::options_from_json<cue::early_stopping_options>(json::parse(R"({"patinece": 3})")),
      "cue: unknown option 'patinece' for early_stopping_options; known options: min_delta, "
      "patience, verbose, mode, baseline, restore_best_weights, start_from_epoch, "
      "stopping_threshold, divergence_threshold, check_finite");
  CHECK_THROWS_WITH(
      cue::options_from_json<cue::early_stopping_options>(json::parse(R"({"patience": "3"})")),
      "cue: option 'patience' of early_stopping_options must be an integer in [-2147483648, 2147483647], "
      "got \"3\"");
  CHECK_THROWS_WITH(
      cue::options_from_json<cue::reduce_lr_on_plateau_options>(json::parse(R"({"mode": "up"})")),
      "cue: option 'mode' of reduce_lr_on_plateau_options must be \"auto\", \"min\" or \"max\", "
      "got \"up\"");
  CHECK_THROWS_WITH(cue::options_from_json<cue::csv_logger_options>(json::parse("[1]")),
                    "cue: csv_logger_options must be a JSON object, got an array (1 value)");
}

TEST_CASE("a number that does not fit its field is refused, naming the field and its range") {
  // Each of these once wrapped silently (patience 9999999999 became 1410065407, save_top_k
  // 4294967295 became -1 "keep all", save_freq 4294967297 became 1, queue_capacity -1 became
  // SIZE_MAX, drain_timeout 1e20 s became 0).
  CHECK_THROWS_WITH(cue::options_from_json<cue::early_stopping_options>(json::parse(R"({"patience": 9999999999})")),
                    "cue: option 'patience' of early_stopping_options must be an integer in "
                    "[-2147483648, 2147483647], got 9999999999");
  CHECK_THROWS_WITH(cue::options_from_json<cue::model_checkpoint_options>(json::parse(R"({"save_top_k": 4294967295})")),
                    Catch::Contains("'save_top_k'") && Catch::Contains("[-2147483648, 2147483647], got 4294967295"));
  CHECK_THROWS_WITH(cue::options_from_json<cue::model_checkpoint_options>(json::parse(R"({"save_freq": 4294967297})")),
                    Catch::Contains("'save_freq'") && Catch::Contains("[1, 2147483647], got 4294967297"));
  CHECK_THROWS_WITH(cue::options_from_json<cue::model_checkpoint_options>(json::parse(R"({"save_freq": 0})")),
                    Catch::Contains("'save_freq'"));
  CHECK_THROWS_WITH(cue::options_from_json<cue::remote_monitor_options>(json::parse(R"({"queue_capacity": -1})")),
                    Catch::Contains("'queue_capacity'") && Catch::Contains("[0, 18446744073709551615], got -1"));
  CHECK_THROWS_WITH(cue::options_from_json<cue::remote_monitor_options>(json::parse(R"({"drain_timeout": 1e20})")),
                    "cue: option 'drain_timeout' of remote_monitor_options must be a number of seconds in "
                    "[0, 31536000] (a year), got 1e+20");
  CHECK_THROWS_WITH(cue::options_from_json<cue::remote_monitor_options>(json::parse(R"({"timeout": -1})")),
                    Catch::Contains("'timeout'"));
  // The edges themselves are accepted.
  CHECK(cue::options_from_json<cue::early_stopping_options>(json::parse(R"({"patience": 2147483647})")).patience == 2147483647);
  CHECK(cue::options_from_json<cue::remote_monitor_options>(json::parse(R"({"drain_timeout": 31536000})"))
            .drain_timeout.count() == 31536000);
}

TEST_CASE("an option error never echoes a header's value, nor a deep or long value in full") {
  const auto refused = [](const char* text) {
    try {
      (void)cue::options_from_json<cue::remote_monitor_options>(json::parse(text));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string pair = refused(R"({"headers": [["Authorization", "Bearer", "sk-live-123"]]})");
  CHECK(pair.find("'headers'") != std::string::npos);
  CHECK(pair.find("sk-live") == std::string::npos);
  const std::string object = refused(R"({"headers": {"Authorization": ["Bearer", "sk-live-123"]}})");
  CHECK(object.find("'headers.Authorization'") != std::string::npos);
  CHECK(object.find("sk-live") == std::string::npos);
  const std::string long_text = refused(("{\"timeout\": \"" + std::string(5000, 'x') + "\"}").c_str());
  CHECK(long_text.find("(5000 bytes)") != std::string::npos);
  CHECK(long_text.size() < 200);
}

TEST_CASE("an option file nested past max_option_depth is refused, not walked recursively") {
  // 100,000 levels once crashed the process (the recursion was in the error path's dump()).
  const std::string deep = "{\"hparams\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK_THROWS_WITH(cue::options_from_json<cue::tensorboard_options>(json::parse(deep)),
                    "cue: tensorboard_options nests deeper than 64 levels");
  const std::string deep_unknown = "{\"nope\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK_THROWS_WITH(cue::options_from_json<cue::tensorboard_options>(json::parse(deep_unknown)),
                    "cue: tensorboard_options nests deeper than 64 levels");
  const std::string top = std::string(100000, '[') + std::string(100000, ']');
  CHECK_THROWS_WITH(cue::options_from_json<cue::tensorboard_options>(json::parse(top)),
                    "cue: tensorboard_options must be a JSON object, got an array (1 value)");
}
