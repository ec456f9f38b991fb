#include "train/validation.h"

#include <algorithm>

#include "detector/detector_util.h"

namespace boxloop {

std::vector<EvalImage> detect_on_samples(Detector& detector, const std::vector<Sample>& samples,
                                         const std::vector<std::size_t>& indices, int input_size,
                                         int batch_size) {
  torch::InferenceMode inference;
  std::vector<EvalImage> images;
  std::mt19937_64 unused_rng(0);
  const torch::Device device = module_device(detector);
  for (std::size_t first = 0; first < indices.size(); first += batch_size) {
    const std::size_t last = std::min(indices.size(), first + batch_size);
    const std::vector<std::size_t> chunk(indices.begin() + static_cast<std::ptrdiff_t>(first),
                                         indices.begin() + static_cast<std::ptrdiff_t>(last));
    const Batch batch = make_batch(samples, chunk, input_size, nullptr, unused_rng);
    const auto detections = detector.detect(batch.images.to(device));
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      EvalImage image;
      for (std::size_t b = 0; b < batch.targets[i].boxes.size(); ++b) {
        image.truths.push_back(
            {batch.targets[i].boxes[b], static_cast<int>(batch.targets[i].labels[b])});
      }
      image.detections = detections[i];
      images.push_back(std::move(image));
    }
  }
  return images;
}

EvalResult evaluate_on_samples(Detector& detector, const std::vector<Sample>& samples,
                               const std::vector<std::size_t>& indices, int input_size,
                               int batch_size) {
  return evaluate_detections(detect_on_samples(detector, samples, indices, input_size, batch_size),
                             detector.config().num_classes, detector.config().max_detections);
}

}  // namespace boxloop
