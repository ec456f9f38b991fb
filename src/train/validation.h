// Validation during training: the detector's mAP on held-out samples, in network-input pixels
// (IoU does not change under the per-axis resize, so this equals mAP in original pixels).
#pragma once

#include <vector>

#include "detector/detector.h"
#include "train/dataset.h"
#include "train/evaluate.h"

namespace boxloop {

// Ground truth and detections of each sample (in `indices` order), for metrics that resample
// images (the audit set's bootstrap interval).
std::vector<EvalImage> detect_on_samples(Detector& detector, const std::vector<Sample>& samples,
                                         const std::vector<std::size_t>& indices, int input_size,
                                         int batch_size);

EvalResult evaluate_on_samples(Detector& detector, const std::vector<Sample>& samples,
                               const std::vector<std::size_t>& indices, int input_size,
                               int batch_size);

}  // namespace boxloop
