// Scoring a large pool on several workers (issue 16; docs/deploy.md "Workers"). A score job with
// more images than ScoreOptions::part_images hands their detection out in parts: score jobs whose
// parent is the score job, each naming its images, that any worker claims. A part writes what it
// found to <project>/jobs/<score job>/part-<n>.json (the folder every process mounts) and ends.
// The score job runs parts itself while it waits for the others, then reads them all in order and
// ranks and publishes one queue in one transaction (score_unlabeled), as if it had detected every
// image itself. A part whose worker dies is handed back by the heartbeats and runs again; a score
// job handed back reuses the parts that finished.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "active/strategy.h"
#include "core/json.h"
#include "core/progress.h"
#include "detector/detector.h"
#include "loop/state/score_options.h"
#include "store/store.h"

namespace boxloop::loop {

// What a part is asked to do: its job params.
struct ScorePart {
  int index = 0;           // its place in the score job's images
  std::string model;       // a model id of the project, or a checkpoint file
  std::vector<Id> images;  // in the score job's order
  bool features = false;   // also the pooled backbone features (+diverse)
  int batch = 8;           // images per forward pass
  float score_threshold = 0.05f;
};
Json to_json(const ScorePart& part);
// Throws kInvalidArgument naming what is missing or wrong.
ScorePart score_part_from_json(const Json& params);

// Where a part of score job `score_job` leaves its detections.
std::filesystem::path score_part_file(Store& store, Id score_job, int index);

// Detects `images` with `detector` in parts of at most options.part_images for the running score
// job `score_job`, each part with its options' model (a model id or file, not "last": the parts
// must all see the same model), batch and score threshold (creating its part jobs, or reusing
// those of an earlier attempt that still fit),
// running parts here and waiting for the others; the results in `images` order. The part files
// are removed once read. Throws kCancelled when `cancel` says so (the unfinished parts are
// cancelled too), and the error of a part that failed.
std::vector<active::ScoredImage> detect_in_parts(Store& store, Id score_job, Detector& detector,
                                                 const ScoreOptions& options,
                                                 const std::vector<Image>& images, bool features,
                                                 const ProgressFn& progress = nullptr,
                                                 const CancelFn& cancel = nullptr);

// Removes what the parts of score job `score_job` left in the project folder, when the score job
// ended failed or cancelled: no attempt will reuse them. Does nothing while the job is queued or
// running (handed back to another worker, which may reuse or be writing them).
void remove_part_files_of_ended_job(Store& store, Id score_job);

// Runs the claimed part job `part_job` (a score job with a parent): detects its images with
// `detector`, or with its model loaded here when null, writes its file and finishes the job as
// done / cancelled / failed (rethrowing the error of the last two).
void run_score_part_job(Store& store, const Job& part_job, Detector* detector = nullptr,
                        const CancelFn& cancel = nullptr);

}  // namespace boxloop::loop
