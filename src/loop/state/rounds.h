// Rounds of the loop (DESIGN.md "The loop"): a round is a train job followed by a score job with
// the new model, recorded as a row of the store's round table (Store::add_round): the id E of the
// newest label event when the round was queued, its jobs and its model. Label events after E
// count towards the next round, so labels saved while a model trains are not lost to the count.
// The train job also carries {"round_after_event": E} in its params: what makes
// train_job_options give it a round's training (loop/round_options.h).
//
// A round that was cancelled (by a user, or by stopping the server mid-round) does not count: its
// labels are still waiting, and the trigger queues a fresh round. A failed round does count, so
// a round that cannot succeed (say, an image went missing) is not retried every few seconds.
#pragma once

#include <optional>
#include <string>

#include "loop/state/loop_settings.h"
#include "loop/state/score_options.h"
#include "store/store.h"

namespace boxloop::loop {

// The params key of a loop round's train job (see above).
inline constexpr const char* kRoundAfterEventKey = "round_after_event";

enum class RoundState { kIdle, kQueued, kTraining, kScoring };
std::string to_string(RoundState state);

struct LoopStatus {
  LoopSettings settings;
  int labels_since_round = 0;  // label events after the last round's start
  int next_round_in = 0;       // label events still needed; 0 when due (or running)
  RoundState state = RoundState::kIdle;
  std::optional<Job> job;  // the running train/score job, else the oldest queued one
  int models = 0;
};

LoopStatus loop_status(Store& store);

// The label event id the last (not cancelled) loop round started at; 0 when none.
Id round_start_event(Store& store);

// The trigger: when the loop is enabled, no train or score job is queued or running and at least
// `every` label events came after the last round's start, queues a round's train job and returns
// it. Check and insert are one transaction, so two callers never queue two rounds.
std::optional<Job> trigger_round(Store& store);

// Queues a round now, whatever the count (POST /api/loop/run, `boxloop loop --run`). Throws
// kConflict when a train or score job is already queued or running.
Job start_round(Store& store);

// When the loop is enabled, no round is active and the newest model has not ordered the queue nor
// been scored before (a round stopped between training and scoring, a model trained with the CLI),
// queues a score job for it and returns it.
std::optional<Job> rescore_if_stale(Store& store);

// The first batch's order (loop/first_batch.h): random, as the simulation's runs start. TypiClust's
// typical images first lost to it on the real cards (README "Which query order beats random":
// -0.056 mAP@0.5 [-0.109, -0.003] at equal boxes, 5 seeds); a score job may still ask for it.
inline constexpr FirstBatch kDefaultFirstBatch = FirstBatch::kRandom;

// When the loop is enabled, the project has no model, unlabeled images wait, no round is active,
// the newest first-batch job did not fail, and there is no queue or a first batch's queue that
// misses images added since, queues the score job that orders the pool for the first round
// ({"first_batch": kDefaultFirstBatch}) and returns it.
std::optional<Job> order_first_batch_if_due(Store& store);

}  // namespace boxloop::loop
