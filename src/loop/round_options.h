// The training options of a train job the loop's worker runs (DESIGN.md "Training budget").
#pragma once

#include <filesystem>
#include <vector>

#include "store/store.h"
#include "train/trainer.h"

namespace boxloop::loop {

// A round's training (DESIGN.md "Training budget"): a fixed number of optimiser steps whatever the
// number of labels (with few labels an epoch is a step or two; rounds of ~150 steps lost mAP in
// the reference simulation, but warm starts carry each round's steps into the next), at an input
// size that keeps a round well under a minute on 2 CPU cores. Every non-audit label trains;
// nothing is validated inside the round (the audit set scores the final weights afterwards).
inline constexpr int kRoundSteps = 120;
inline constexpr int kRoundBatch = 8;
inline constexpr int kRoundInputSize = 224;
// A round's wall-clock budget for training (reading the labels, the steps, the audit score and
// the save; TrainOptions::time_budget_seconds): the loop's promise is a new queue within ~60 s
// of the label that triggered it on 2 CPU cores, and scoring the 296-image cards pool and
// publishing take ~5-10 s more. On a quiet machine the 120 steps end well inside it; on a busy
// one, or with a large label set to read, the round stops early with the weights it has rather
// than keep labelers on the old queue. Settings "train": {"time_budget_seconds": 0} removes it.
// `boxloop simulate` trains its rounds without it (a wall-clock cut would make its curves depend
// on the machine and its load): see simulation_round_options.
inline constexpr double kRoundTimeBudgetSeconds = 45;

// Options of a train job from its params:
// - a loop round (params hold only loop keys): the project's settings "model" (arch) and "train"
//   object over the round defaults above: warm start from the last model ("last" when the
//   project has one, else "pretrained", else "scratch" with a warning when no pretrained weights
//   are found), val_fraction 0, no audit images, allow_empty_categories (early rounds lack some
//   classes), the time budget kRoundTimeBudgetSeconds. `boxloop simulate` trains its rounds
//   through this same function, so the simulation measures the product (less the time budget).
// - any other train job (POST /api/jobs): its params over TrainOptions' defaults.
// Throws kInvalidArgument for an unknown or mistyped key in the settings or params.
TrainOptions train_job_options(Store& store, const Json& params,
                               const std::vector<std::filesystem::path>& pretrained_fallbacks);

}  // namespace boxloop::loop
