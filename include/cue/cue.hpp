// <cue/cue.hpp>: all of cue that needs nothing beyond Boost.Hana and the standard library.
#pragma once

#include <cue/callbacks.hpp>
#include <cue/callbacks/history.hpp>
#include <cue/context.hpp>
#include <cue/dynamic_callbacks.hpp>
#include <cue/events.hpp>
#include <cue/fit.hpp>
#include <cue/fixed_string.hpp>
#include <cue/learner.hpp>
#include <cue/logs.hpp>
#include <cue/requirements.hpp>
