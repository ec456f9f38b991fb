// Scoring: the current model looks at every unlabeled image and the query queue is rewritten in
// the strategy's order (DESIGN.md "Active learning", "The loop"). The new queue replaces the old
// one atomically, so a page asking for its next image sees either order, never a mix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "active/strategy.h"
#include "core/json.h"
#include "core/progress.h"
#include "detector/detector.h"
#include "store/store.h"

namespace boxloop::loop {

struct ScoreOptions {
  std::string model = "last";  // a model id of the project, "last", or a checkpoint file
  std::string strategy;        // a strategy spec; empty: the project's setting, else the default
  std::uint64_t seed = 1;      // tie-breaking and the random strategy
  int batch = 8;               // images per forward pass
  // Low, so that weak early models still give the sampler boxes to look at.
  float score_threshold = 0.05f;
};

struct ScoreResult {
  Id model_id = 0;  // 0 when scored with a checkpoint file outside the project's models
  std::string strategy;
  int images = 0;  // unlabeled images scored (= queue size)
  double seconds = 0;
};

// The detections of `detector` on each given image of the store (boxes in original pixels).
// Throws kNotFound / kCorrupt naming an unreadable image, kCancelled.
std::vector<active::ScoredImage> detect_images(Store& store, Detector& detector,
                                               const std::vector<Image>& images, int batch = 8,
                                               const ProgressFn& progress = nullptr,
                                               const CancelFn& cancel = nullptr);

// Scores every unlabeled image with the model and replaces the queue. Throws kNotFound when the
// project has no model yet (train one first), kInvalidArgument for a bad strategy spec.
ScoreResult score_unlabeled(Store& store, const ScoreOptions& options,
                            const ProgressFn& progress = nullptr, const CancelFn& cancel = nullptr);

// The strategy a project uses: settings "strategy" when set, else active::default_strategy_spec().
std::string project_strategy(Store& store);

}  // namespace boxloop::loop
