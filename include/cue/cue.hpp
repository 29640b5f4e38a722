// <cue/cue.hpp>: all of cue that needs nothing beyond Boost.Hana and the standard library
// (not <cue/config.hpp>, which needs nlohmann-json).
#pragma once

#include <cue/callbacks.hpp>
#include <cue/callbacks/history.hpp>
#include <cue/context.hpp>
#include <cue/dynamic_callbacks.hpp>
#include <cue/epoch_table.hpp>
#include <cue/events.hpp>
#include <cue/fit.hpp>
#include <cue/fixed_string.hpp>
#include <cue/learner.hpp>
#include <cue/learner_files.hpp>
#include <cue/logs.hpp>
#include <cue/requirements.hpp>
#include <cue/run_events.hpp>
#include <cue/state.hpp>
#include <cue/typed_events.hpp>

#include <cue/adapters/every_n_batches.hpp>
#include <cue/adapters/every_n_epochs.hpp>
#include <cue/adapters/guarded.hpp>
#include <cue/adapters/in_background.hpp>
#include <cue/adapters/when.hpp>
#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/clip_grad_norm.hpp>
#include <cue/callbacks/clip_grad_value.hpp>
#include <cue/callbacks/csv_logger.hpp>
#include <cue/callbacks/early_stopping.hpp>
#include <cue/callbacks/lambda_callback.hpp>
#include <cue/callbacks/learning_rate_schedule.hpp>
#include <cue/callbacks/learning_rate_scheduler.hpp>
#include <cue/callbacks/learning_rate_warmup.hpp>
#include <cue/callbacks/model_checkpoint.hpp>
#include <cue/callbacks/progbar_logger.hpp>
#include <cue/callbacks/reduce_lr_on_plateau.hpp>
#include <cue/callbacks/stop_on_signal.hpp>
#include <cue/callbacks/tensorboard.hpp>
#include <cue/callbacks/terminate_on_nan.hpp>
#include <cue/callbacks/time_limit.hpp>
#include <cue/callbacks/training_curves.hpp>
