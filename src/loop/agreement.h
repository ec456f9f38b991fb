// The stop signal's measurement (issue "The loop pays"; Bloodgood & Vijay-Shanker 2009,
// "A method for stopping active learning based on stabilizing predictions", CoNLL): how much the
// new round's model agrees with the previous round's on a fixed random sample of unlabeled
// images. When successive models keep agreeing, more labels are unlikely to change the model
// much. The rule that turns agreements into a signal lives in loop/state/curve.h.
//
// Agreement is the F1 of one model's boxes against the other's: per image, detections of both
// above `min_score` are matched greedily by score, class-aware, at IoU >= 0.5; over the sample
// F1 = 2 x matched / (boxes of A + boxes of B). It is symmetric, 1 for identical predictions and
// 0 when no box of one is found by the other. When both models together give fewer than
// `min_boxes` boxes on the sample, there is too little to compare and the result has no value
// (an untrained model that finds nothing must not look "stable").
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/json.h"
#include "core/types.h"
#include "detector/detector.h"
#include "store/store.h"

namespace boxloop::loop {

struct AgreementOptions {
  int sample = 200;        // unlabeled images compared
  float min_score = 0.3f;  // boxes counted
  double iou = 0.5;
  int min_boxes = 10;
};

struct Agreement {
  std::optional<double> f1;  // none: too few boxes to compare
  int images = 0;            // images in the sample
  int boxes_a = 0, boxes_b = 0, matched = 0;
};

// On per-image detection lists of the same images (same order, same pixel frame).
Agreement agreement(const std::vector<std::vector<Detection>>& a,
                    const std::vector<std::vector<Detection>>& b,
                    const AgreementOptions& options = {});

// The fixed sample: the unlabeled images with the smallest hash of their id, so that it stays the
// same from round to round but for the images labeled meanwhile, and never follows import order.
std::vector<Image> agreement_sample(Store& store, int size);

// Runs both detectors on the sample.
Agreement compare_models(Store& store, Detector& current, Detector& previous,
                         const AgreementOptions& options = {});

// Compares model `model_id` with the project's model before it (the previous round's) and stores
// the result in its metrics as "agreement" (with "previous_model_id"). Returns nothing, and stores
// nothing, when it is the first model or either checkpoint is gone.
std::optional<Agreement> record_agreement_with_previous(Store& store, Id model_id,
                                                        const AgreementOptions& options = {});

// {"f1": x | null, "sample", "boxes_current", "boxes_previous", "matched"}
Json to_json(const Agreement& agreement);

}  // namespace boxloop::loop
