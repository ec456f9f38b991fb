// Fine-tunes a detector on a project's labels and records the result as a model of the project.
//
// Budget: optimiser steps, not epochs (DESIGN.md "Training budget"): the run lasts
// max(epochs, ceil(min_steps / steps_per_epoch)) epochs, or less when a wall-clock budget
// (time_budget_seconds) runs out first: the run then ends after the step in progress and keeps
// its weights (metrics "steps" < "steps_planned"). Schedule: SGD with momentum and weight
// decay, linear warm-up then cosine decay (train/schedule.h). The model kept is the moving
// average of the weights over the run's last steps (train/weight_average.h; `average_weights`
// false keeps the last step's), never an epoch picked on a split. With `val_fraction` > 0, mAP on
// a held-out split by image each `eval_every` epochs, the best epoch reported beside the final one;
// early stop after `patience` evaluations without a better mAP@0.5. Every epoch is checkpointed
// (train/run_state.h); a killed run of the same parameters on the same labels resumes automatically
// from its last finished epoch (`resume` = true makes a missing run an error instead of a fresh
// start).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/progress.h"
#include "store/store.h"
#include "train/dataset.h"
#include "train/options/train_options.h"

namespace boxloop {

struct TrainResult {
  ModelRecord model;
  std::filesystem::path weights;  // absolute
  Json metrics;
  int resumed_from_epoch = 0;  // 0: a fresh run
};

// Throws kInvalidArgument (no labels, a category without boxes, bad options), kUnsupported (CUDA
// on a CPU-only LibTorch), kNotFound (no pretrained weights / model), kCorrupt (an unreadable
// checkpoint), kCancelled when `cancel` returns true (the run folder is kept for resuming).
TrainResult train_detector(Store& store, const TrainOptions& options,
                           const ProgressFn& progress = nullptr, const CancelFn& cancel = nullptr);

// Throws what training on device `name` ("cpu", "cuda") would throw at its start: kUnsupported
// for CUDA without a CUDA LibTorch or a visible GPU, kInvalidArgument for another name.
void check_training_device(const std::string& name);

// Runs the train job `job_id` (already claimed, i.e. running): progress goes to the job's row,
// a cancel request stops it, and the job is finished as done / cancelled / failed. Rethrows the
// error of a failed or cancelled run after recording it.
TrainResult run_train_job(Store& store, Id job_id, const TrainOptions& options,
                          const ProgressFn& progress = nullptr);

}  // namespace boxloop
