// Training samples from a project's labels: images decoded once and kept at a working size,
// augmented on the fly into network-input batches (BGR float [0, 1], N x 3 x S x S, no letterbox,
// as the detector expects).
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <map>
#include <opencv2/core.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/progress.h"
#include "detector/detector.h"
#include "store/store.h"
#include "train/decode_cache.h"
#include "train/options/train_options.h"

namespace boxloop {

// One labeled image, kept downscaled so that augmentation has pixels to spare without holding
// full-size photos in memory. `bgr` may be shared with the decode cache: never write to it. `boxes`
// are in pixels of `bgr`; `scale_x/y` map them back to the original image (original = kept *
// scale).
struct Sample {
  Id image_id = 0;
  std::string path;
  cv::Mat bgr;
  std::vector<Box> boxes;
  std::vector<int64_t> labels;
  // A partly labeled image (LabeledImage::regions): the regions, in pixels of `bgr`, where its
  // labels are complete; unset when the whole image is labeled (DetectionTarget::known).
  std::optional<std::vector<Box>> known;
  double scale_x = 1, scale_y = 1;
};

// Which labeled images: all, the ones rounds train on (not audit), or the audit set.
enum class LabeledSubset { kAll, kNotAudit, kAudit };

// Class index of each category id: its position in Store::categories(), the detector's classes.
std::map<Id, int64_t> class_indices(const std::vector<Category>& categories);

// The image `image` of the store as a sample with `boxes` (in pixels of the original; their
// classes looked up in `class_of`), downscaled so its longer side is at most `keep_size`, its
// pixels from `cache` when given. Throws kNotFound / kCorrupt for an unreadable image, kInternal
// for a box of a category not in `class_of`.
Sample read_sample(Store& store, const Image& image, const std::vector<Annotation>& boxes,
                   const std::map<Id, int64_t>& class_of, int keep_size,
                   DecodeCache* cache = nullptr);

// Reads the labeled images of the store in `subset` (class index = position of the category in
// Store::categories()), downscaled so its longer side is at most `keep_size`; with a `cache`,
// the pixels of images an earlier run read come from it (the same pixels, train/decode_cache.h)
// and the boxes from the labels of now. Throws kInvalidArgument when nothing is labeled (an empty
// audit subset is returned empty), kNotFound / kCorrupt for an unreadable image (named).
std::vector<Sample> load_samples(Store& store, int keep_size,
                                 LabeledSubset subset = LabeledSubset::kAll,
                                 const ProgressFn& progress = nullptr,
                                 const CancelFn& cancel = nullptr, DecodeCache* cache = nullptr);

// splitmix64: a well-mixed 64-bit hash, for seeds and splits that must not follow import order.
std::uint64_t splitmix64(std::uint64_t x);

// A deterministic split by image: the same ids, fraction and seed give the same split, and
// adding images leaves the assignment of the others unchanged: an image is held out when the hash
// of its id and the seed falls below `val_fraction` of the hash range, whatever other images there
// are. At least one image stays in training; with 2+ images and fraction > 0 at least one goes to
// validation (the lowest hash, when none falls below the threshold). A partly labeled sample
// (Sample::known) always trains: scored, its unlabeled objects would count as misses.
struct Split {
  std::vector<std::size_t> train;  // indices into the samples
  std::vector<std::size_t> val;
};
Split split_by_image(const std::vector<Sample>& samples, double val_fraction, std::uint64_t seed);

struct Batch {
  torch::Tensor images;  // N x 3 x S x S float, BGR, [0, 1]
  std::vector<DetectionTarget> targets;
};

// One sample resized to input_size x input_size (or `size`), optionally augmented, as BGR 8-bit
// and its target in pixels of the result.
cv::Mat prepare_image(const Sample& sample, int input_size, const AugmentOptions* augment,
                      std::mt19937_64& rng, DetectionTarget& target);
cv::Mat prepare_image(const Sample& sample, cv::Size size, const AugmentOptions* augment,
                      std::mt19937_64& rng, DetectionTarget& target);

// Four samples, each augmented, tiled 2 x 2 around a random centre into one input_size image
// (AugmentOptions::mosaic); boxes thinner than 2 pixels after the shrink are dropped.
cv::Mat prepare_mosaic(const std::vector<Sample>& samples, const std::array<std::size_t, 4>& tiles,
                       int input_size, const AugmentOptions& augment, std::mt19937_64& rng,
                       DetectionTarget& target);

// Batch of the given samples; `augment` null means plain resize (validation). With
// augment->mosaic > 0 and a `mosaic_pool` (the training set's indices), each image is a mosaic
// with that probability, its three other tiles drawn from the pool.
Batch make_batch(const std::vector<Sample>& samples, const std::vector<std::size_t>& indices,
                 int input_size, const AugmentOptions* augment, std::mt19937_64& rng,
                 const std::vector<std::size_t>* mosaic_pool = nullptr);

// A BGR 8-bit image resized to input_size as a 1 x 3 x S x S float tensor in [0, 1].
torch::Tensor image_tensor(const cv::Mat& bgr, int input_size);

}  // namespace boxloop
