// Synthetic card-like images with known boxes, for tests, the demo and benchmarks: white rounded
// rectangles with a rank drawn in the corners and centre, rotated a little, on textured
// backgrounds, 1-4 cards per image. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/types.h"

namespace boxloop {

// The six ranks of the card photos, in the order projects list them.
const std::vector<std::string>& card_ranks();  // nine, ten, jack, queen, king, ace

struct SynthOptions {
  int count = 10;
  std::uint64_t seed = 1;
  int width = 480;
  int height = 360;
  int min_cards = 1;
  int max_cards = 4;
  std::vector<std::string> categories = card_ranks();
};

struct SynthImage {
  cv::Mat bgr;
  ImageLabels labels;  // file = "synth_<seed>_<index>.jpg", boxes tight around each card
};

// Image `index` of the set described by `options`; the same (seed, index) gives the same pixels.
SynthImage synth_image(const SynthOptions& options, int index);

// Writes `options.count` images as JPEG plus one VOC XML each into `dir` (created if missing).
// Returns their labels.
std::vector<ImageLabels> write_synth_dataset(const std::filesystem::path& dir,
                                             const SynthOptions& options,
                                             const ProgressFn& progress = nullptr);

}  // namespace boxloop
