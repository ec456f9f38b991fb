// Choosing the proposal threshold (issue 14): the score above which a model's detections are
// worth showing a labeler. Too low and they reject false boxes all day; too high and they draw
// boxes the model had found. Each score job picks the threshold that maximises the F1 of the new
// model's detections against labeled boxes — the audit set's when it has labeled images (never
// trained on, so the figure is honest), else all labeled images — and records it in the model's
// metrics (loop/state/proposals.h serves it). Free of LibTorch: it works on detection lists.
#pragma once

#include <optional>
#include <vector>

#include "loop/state/proposals.h"
#include "train/evaluate.h"

namespace boxloop::loop {

// Per image, detections are matched greedily in descending score order to the unmatched labeled
// box of the same class with the highest IoU, at least `iou`: the same matching at every
// threshold, so proposals kept at threshold t are exactly the detections scoring >= t. Over all
// images F1 = 2 x matched / (proposed + labeled boxes). The chosen threshold is a detection's
// score (proposals are those scoring at least it) with the highest F1; among equal F1s the
// highest threshold (fewer boxes to look at). When no detection matches anything, F1 is 0 at
// every threshold and the threshold is just above the highest score: propose nothing.
//
// Returns nullopt when there is nothing to choose on: no labeled box, or no detection. `source`
// and `images` of the result are left for the caller.
std::optional<ProposalThreshold> choose_proposal_threshold(const std::vector<EvalImage>& images,
                                                           double iou = 0.5);

}  // namespace boxloop::loop
