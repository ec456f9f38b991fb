// The training options of a train job the loop's worker runs (DESIGN.md "Training budget").
#pragma once

#include <filesystem>
#include <vector>

#include "store/store.h"
#include "train/trainer.h"

namespace boxloop::loop {

// A round's floor of optimiser steps: with few labels an epoch is a step or two, and rounds of
// ~150 steps lost mAP in the reference simulation.
inline constexpr int kRoundMinSteps = 300;

// Options of a train job from its params:
// - a loop round (params hold only loop keys): the project's settings "model" (arch, input_size)
//   and "train" object over the round defaults: warm start from the last model ("last" when the
//   project has one, else "pretrained", else "scratch" with a warning when no pretrained weights
//   are found), min_steps kRoundMinSteps, allow_empty_categories (early rounds lack some classes).
// - any other train job (POST /api/jobs): its params over TrainOptions' defaults.
// Throws kInvalidArgument for an unknown or mistyped key in the settings or params.
TrainOptions train_job_options(Store& store, const Json& params,
                               const std::vector<std::filesystem::path>& pretrained_fallbacks);

}  // namespace boxloop::loop
