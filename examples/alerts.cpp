// Telling the team's systems: alerts to a webhook (and to Slack or WeCom when their webhook URLs
// are in the environment), the run's summary sent the same way, every checkpoint registered with
// its SHA-256 and mirrored to another directory. Usage: alerts WEBHOOK_URL OUT_DIR
#include <cue/cue.hpp>
#include <cue/callbacks/alert.hpp>
#include <cue/callbacks/checkpoint_registry.hpp>
#include <cue/callbacks/mirror_checkpoints.hpp>
#include <cue/callbacks/summary_report.hpp>
#include <cue/sinks/chat.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "blobs.hpp"                // sample, batch, blobs(n, seed): the toy data
#include "logistic_regression.hpp"  // the whole learner contract

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: alerts WEBHOOK_URL OUT_DIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[2];

  // [sinks]
  std::vector<cue::alert_sink> sinks{cue::sinks::webhook{argv[1]}};
  // Webhook URLs are secrets: from the environment, and shown redacted in every report.
  if (std::getenv("SLACK_WEBHOOK_URL"))
    sinks.push_back(cue::sinks::slack{cue::secret_from_env("SLACK_WEBHOOK_URL")});
  if (std::getenv("WECOM_WEBHOOK_URL"))
    sinks.push_back(cue::sinks::wecom{cue::secret_from_env("WECOM_WEBHOOK_URL")});
  // [/sinks]

  // [alert]
  cue::alert alert({.sinks = sinks, .run = "blobs"},
                   cue::rules::spike<"val_loss">{.factor = 2.0},  // val_loss above twice its best
                   cue::rules::non_finite<"loss">{},
                   cue::rules::stopped{}, cue::rules::failed{});
  cue::checkpoint_registry registry({.path = (out / "registry.jsonl").string(), .run = "blobs"});
  cue::mirror_checkpoints mirror({.destination = (out / "mirror").string()});
  cue::summary_report summary({.directory = out.string(), .sinks = sinks, .run = "blobs"});
  // [/alert]

  // A learning rate far too high for one epoch makes val_loss spike: the alert fires, then resolves.
  cue::learning_rate_scheduler schedule([](int epoch, double lr) { return epoch == 3 ? 20.0 : epoch == 4 ? 1.0 : lr; });
  cue::model_checkpoint<"val_loss"> checkpoint(
      {.filepath = (out / "checkpoints/epoch{epoch:02d}.txt").string(), .save_best_only = true});
  cue::early_stopping<"val_loss"> early({.patience = 5});

  logistic_regression model;
  const auto history = cue::fit(model, blobs(50, 1), blobs(10, 2), {.epochs = 30, .verbose = 0}, schedule, early,
                                checkpoint, registry, mirror, alert, summary);
  std::printf("alerts: epochs=%zu sent=%zu delivered=%zu failed=%zu checkpoints=%zu\n", history.epochs().size(),
              alert.sent(), alert.delivered(), alert.failed(), checkpoint.save_count());
  return alert.failed() == 0 ? 0 : 1;
}
