// Fine-tunes a detector on a project's labels and records the result as a model of the project.
//
// Budget: optimiser steps, not epochs (DESIGN.md "Training budget"): the run lasts
// max(epochs, ceil(min_steps / steps_per_epoch)) epochs. Schedule: SGD with momentum and weight
// decay, linear warm-up then cosine decay (train/schedule.h). Validation mAP each `eval_every`
// epochs on a held-out split by image; early stop after `patience` evaluations without a better
// mAP@0.5; the best model is the one kept. Every epoch is checkpointed (train/run_state.h); a
// killed run of the same parameters on the same labels resumes automatically from its last
// finished epoch (`resume` = true makes a missing run an error instead of a fresh start).
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

namespace boxloop {

struct TrainOptions {
  std::string arch = "fastestdet";
  int epochs = 60;
  int batch = 16;
  double lr = 0.01;
  double momentum = 0.937;
  double weight_decay = 5e-4;
  int warmup_steps = 100;
  int input_size = 352;
  double val_fraction = 0.2;  // 0: no held-out split, validation runs on the training images
  // "pretrained" | "scratch" | "last" | a model id of the project | a checkpoint file.
  std::string from = "pretrained";
  std::filesystem::path pretrained;  // explicit weights file for from = "pretrained"
  std::vector<std::filesystem::path> pretrained_fallbacks;  // searched after project and env
  std::string device = "cpu";                               // "cpu" | "cuda"
  std::uint64_t seed = 1;
  int min_steps = 0;
  int patience = 0;    // evaluations without improvement before stopping; 0: never stop early
  int eval_every = 0;  // epochs between validations; 0: about 40 evaluations per run
  int workers = 1;     // 1+: the next batch is prepared while the current one trains
  bool resume = false;
  // A category without any box on the labeled images makes training fail by default: the model
  // would learn that class never occurs. The loop sets this for early rounds.
  bool allow_empty_categories = false;
  AugmentOptions augment;
};

// Reads the options of a "train" job's params / the project's settings ("training" object).
// Unknown keys are an error (kInvalidArgument), so a typo does not silently train defaults.
TrainOptions train_options_from_json(const Json& params, TrainOptions defaults = {});
Json to_json(const TrainOptions& options);

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

// Runs the train job `job_id` (already claimed, i.e. running): progress goes to the job's row,
// a cancel request stops it, and the job is finished as done / cancelled / failed. Rethrows the
// error of a failed or cancelled run after recording it.
TrainResult run_train_job(Store& store, Id job_id, const TrainOptions& options,
                          const ProgressFn& progress = nullptr);

}  // namespace boxloop
