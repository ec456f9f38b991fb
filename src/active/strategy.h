// Query strategies: how the unlabeled images are ordered for labeling, from the detections of
// the current model. A strategy is named by a short spec so that it can live in the project
// settings, on the command line and in simulation reports:
//
//   random                      uniform random order (the baseline of every comparison)
//   MEASURE[:AGGREGATION]       e.g. least_confidence (= least_confidence:top_box), margin:mean,
//                               entropy:max, least_confidence:sum
//   ...+balanced                the same uncertainty, but the order interleaves the images by
//                               predicted class (round-robin over the class of each image's most
//                               confident detection; images without one form their own group),
//                               so every stretch of the queue covers every category
//   ...+diverse                 uncertainty, then diversity (PPAL, Yang et al. CVPR 2024): the 3K
//                               most uncertain images (K = the round's batch of labels) come first,
//                               ordered farthest-first (k-center greedy) on the detector's pooled
//                               backbone features, the labeled images counting as covered; the
//                               rest follow by uncertainty. Needs features (loop/score.h computes
//                               them); cannot be combined with +balanced
//   ...+effort                  uncertainty per expected second of labeling with proposals
//                               (issue 14): the image's uncertainty divided by
//                               expected_labeling_seconds of its detections, so that of two equally
//                               informative images the one cheaper to correct comes first; may be
//                               combined with +balanced or +diverse (it changes the key they start
//                               from)
//   ...@T                       min_score T for mean / max / sum (default 0.25)
//
// Ties in uncertainty are broken by a seeded shuffle, never by import order: early models leave
// many images without detections (all scoring 1), and import order is usually folder order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "active/labeling_costs.h"
#include "active/uncertainty.h"
#include "core/types.h"
#include "store/store.h"

namespace boxloop::active {

struct Strategy {
  bool random = false;
  Measure measure = Measure::kLeastConfidence;
  Aggregation aggregation = Aggregation::kTopBox;
  float min_score = 0.25f;
  bool balanced = false;
  bool diverse = false;
  bool per_effort = false;  // +effort
};

// Throws kInvalidArgument with the grammar above for a malformed spec.
Strategy parse_strategy(const std::string& spec);
// The canonical spec (parse_strategy(to_string(s)) == s): MEASURE, then ':AGGREGATION' unless
// top_box, '+balanced' or '+diverse', then '@T' unless T is the default (parse accepts the
// modifiers in any order, and 'MEASURE:top_box'). Surrounding whitespace is ignored; names are
// exact.
std::string to_string(const Strategy& strategy);
// Equal when they order images the same way: 'random' ignores every other field and top_box
// ignores min_score (parse rejects '@T' with top_box, as it would have no effect).
bool operator==(const Strategy& a, const Strategy& b);

// The spec projects use unless they pick one: least_confidence:sum+effort. On the real cards (5
// seeds, README "Which query order beats random") it is level with random per image, per box and
// per second of effort; no strategy tried beats random per box.
std::string default_strategy_spec();

// Whether rank_images needs ScoredImage::features (and RankContext::labeled_features) for it.
bool needs_features(const Strategy& strategy);

// One unlabeled image and the current model's detections on it (any pixel frame).
struct ScoredImage {
  Id image_id = 0;
  std::vector<Detection> detections;
  // The model's pooled backbone features of the image (Detector::embed), for +diverse; empty
  // otherwise. Any scale: rank_images normalises them.
  std::vector<float> features{};
};

// What a ranking knows besides the unlabeled images.
struct RankContext {
  // Labels a round asks for (the loop's trigger_every, the simulation's step); 0: unknown, taken
  // as kDefaultBatchSize. +diverse pre-selects 3 x this many images.
  int batch_size = 0;
  // Features of the images already labeled (same model): +diverse treats them as covered, so it
  // does not pick more of what is labeled. May be empty.
  std::vector<std::vector<float>> labeled_features{};
  // What +effort divides by: the seconds a labeler spends per action (published defaults, or the
  // project's own measured ones).
  CostModel costs{};
};
inline constexpr int kDefaultBatchSize = 20;
// +diverse pre-selects this many times the batch size by uncertainty (PPAL's ~3K).
inline constexpr int kDiversePoolFactor = 3;

// The queue order: rank 0 first. `uncertainty` of each entry is the image's uncertainty under the
// strategy (for random: the image's least-confidence top-box uncertainty, so the page's halting
// widget still has a scale). Same inputs and seed give the same order: each image draws a key from
// std::mt19937_64(seed) in input order, and equal uncertainties go by key (random: the order is
// the keys alone). +balanced groups the images by the class_index of their highest-scoring
// detection (images without detections form one group of their own), sorts each group by
// uncertainty, then takes passes: one image from every non-empty group per pass, the pass ordered
// by uncertainty. For sum, the order is by raw sum and the entries' values are divided by the
// largest sum (so they stay in 0..1); an image without detections counts as a sum of 1.
// +diverse: the first min(n, 3 x batch) images of the uncertainty order are reordered by
// active::k_center_greedy on their L2-normalised features, with the labeled features as covered
// centres (none: it opens with the most uncertain image); the entries keep their own
// uncertainties, so that stretch is not sorted by value. Throws kInvalidArgument when +diverse
// is asked for and an image lacks features or the lengths differ.
std::vector<QueueEntry> rank_images(const std::vector<ScoredImage>& images,
                                    const Strategy& strategy, std::uint64_t seed,
                                    const RankContext& context = {});

}  // namespace boxloop::active
