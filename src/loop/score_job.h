// Scoring as a job of the store: what the loop's worker runs after each training, and what
// POST /api/jobs {"kind":"score"} queues.
#pragma once

#include "core/json.h"
#include "core/progress.h"
#include "loop/score.h"
#include "store/store.h"

namespace boxloop::loop {

// Runs the score job `job_id` (already claimed, i.e. running): progress goes to the job's row
// (and to `progress`), a cancel request on the row or `cancel` returning true stops it, and the
// job is finished as done / cancelled / failed. Rethrows the error of a failed or cancelled run
// after recording it.
ScoreResult run_score_job(Store& store, Id job_id, const ScoreOptions& options,
                          const ProgressFn& progress = nullptr, const CancelFn& cancel = nullptr);

}  // namespace boxloop::loop
