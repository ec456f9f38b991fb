// What runs a claimed job, whoever claimed it: a loop worker (in `boxloop serve` or `boxloop
// worker`, on any machine) or `boxloop train`. One lifecycle for all of them: options read from
// the job's params (a bad one fails the job, naming it), progress on the job's row, a cancel on
// the row or from the caller stops it, and the job ends done, cancelled or failed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "store/store.h"
#include "train/trainer.h"

namespace boxloop::loop {

struct JobRunnerOptions {
  // Searched for pretrained weights after the project's own and $BOXLOOP_PRETRAINED.
  std::vector<std::filesystem::path> pretrained_fallbacks;
  // The device training runs on when set ("cpu", "cuda"), whatever the job asks (a worker's
  // --device); empty: the job's.
  std::string device;
  // After a training, queue the score job of the new model (the loop's rounds; a server's or a
  // worker's runner). `boxloop train` leaves scoring to the loop.
  bool score_after_training = true;
};

// Runs the claimed (running) job: a train job, a score job, or a part of one
// (loop/score_parts.h). `progress` is told besides the job's row. Returns the training's result
// for a train job. Rethrows the error of a failed or cancelled job after recording it.
std::optional<TrainResult> run_job(Store& store, const Job& job, const JobRunnerOptions& options,
                                   const ProgressFn& progress = nullptr,
                                   const CancelFn& cancel = nullptr);

}  // namespace boxloop::loop
