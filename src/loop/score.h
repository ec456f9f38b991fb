// Scoring: the current model looks at every unlabeled image and the query queue is rewritten in
// the strategy's order (DESIGN.md "Active learning", "The loop"). The new queue replaces the old
// one atomically, so a page asking for its next image sees either order, never a mix.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "active/diversity.h"
#include "active/strategy.h"
#include "core/json.h"
#include "core/progress.h"
#include "detector/detector.h"
#include "loop/state/proposals.h"
#include "loop/state/score_options.h"
#include "store/store.h"

namespace boxloop::loop {

struct ScoreResult {
  Id model_id = 0;  // 0 when scored with a checkpoint file outside the project's models
  std::string strategy;
  int images = 0;  // unlabeled images scored
  int kept = 0;    // unlabeled images left out of a bounded scoring (queue size = images + kept)
  double seconds = 0;
  int proposals = 0;  // detections kept as proposals (all scores; served above the threshold)
  // The threshold chosen for the model's proposals; none when there was nothing to choose on (no
  // labeled box, no detection) or no project model to record it for.
  std::optional<ProposalThreshold> proposal_threshold;
};

// The detections of `detector` on each given image of the store (boxes in original pixels).
// Throws kNotFound / kCorrupt naming an unreadable image, kCancelled.
std::vector<active::ScoredImage> detect_images(Store& store, Detector& detector,
                                               const std::vector<Image>& images, int batch = 8,
                                               const ProgressFn& progress = nullptr,
                                               const CancelFn& cancel = nullptr);

// The same, plus each image's pooled backbone features (Detector::embed, not normalised) in
// ScoredImage::features, from the same decoded batches: what a +diverse strategy ranks with.
std::vector<active::ScoredImage> detect_and_embed_images(Store& store, Detector& detector,
                                                         const std::vector<Image>& images,
                                                         int batch = 8,
                                                         const ProgressFn& progress = nullptr,
                                                         const CancelFn& cancel = nullptr);

// detect_and_embed_images when `features`, else detect_images: how a scoring detects its images
// in this process (the default of a DetectImagesFn).
std::vector<active::ScoredImage> detect_images(Store& store, Detector& detector,
                                               const std::vector<Image>& images, bool features,
                                               int batch, const ProgressFn& progress = nullptr,
                                               const CancelFn& cancel = nullptr);

// Pooled backbone features of each given image (Detector::embed), L2-normalised, in input order.
active::FeatureVectors embed_images(Store& store, Detector& detector,
                                    const std::vector<Image>& images, int batch = 8,
                                    const ProgressFn& progress = nullptr,
                                    const CancelFn& cancel = nullptr);

// A TypiClust first batch (Hacohen et al., ICML 2022) for when nothing is labeled and there is no
// model yet: embeds `pool` with `detector` (e.g. the COCO-pretrained one: make_detector, then
// load_pretrained(default_pretrained_weights(...))) and returns the ids of
// active::typical_spread's min(k, pool size) picks, largest cluster first. Seeded; throws as
// detect_images does.
std::vector<Id> typical_spread_images(Store& store, Detector& detector,
                                      const std::vector<Image>& pool, int k, std::uint64_t seed,
                                      int batch = 8);

// How a scoring detects its images (with features when `features`), given the loaded model: by
// default in this process (detect_images / detect_and_embed_images); a score job may hand parts
// of a large pool to other workers (loop/score_parts.h).
using DetectImagesFn = std::function<std::vector<active::ScoredImage>(
    Detector& detector, const std::vector<Image>& images, bool features)>;

// Scores every unlabeled image (or, with options.candidates, a candidate set:
// loop/state/candidates.h) with the model and replaces the queue. Throws kNotFound when the
// project has no model yet (train one first), kInvalidArgument for a bad strategy spec. For a
// +diverse strategy it also embeds the unlabeled images and (up to kMaxCoveredImages, a seeded
// sample) the labeled ones, and takes the batch size from the loop's trigger_every.
//
// With a project model it also keeps each unlabeled image's kMaxProposalsPerImage best
// detections as proposals, and chooses the model's proposal threshold
// (loop/proposal_threshold.h) on up to kMaxThresholdImages labeled audit images, else labeled
// images (a seeded sample), recording it in the model's metrics ("proposals"). Threshold, queue
// and proposals are published in one transaction, replacing the previous model's.
ScoreResult score_unlabeled(Store& store, const ScoreOptions& options,
                            const ProgressFn& progress = nullptr, const CancelFn& cancel = nullptr,
                            const DetectImagesFn& detect = nullptr);

// The strategy a project uses: loop_settings(store).strategy (the setting when set and it parses,
// else active::default_strategy_spec()).
std::string project_strategy(Store& store);

// Labeled images embedded as covered centres for +diverse at most: beyond that, each round would
// re-read a large imported set for little change in which pool images count as far.
inline constexpr std::size_t kMaxCoveredImages = 1000;

// Labeled images the proposal threshold is chosen on at most: a few hundred boxes already pin F1
// down to a few points, and each round re-detects them.
inline constexpr std::size_t kMaxThresholdImages = 300;

}  // namespace boxloop::loop
