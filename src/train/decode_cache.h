// Labeled images decoded and downscaled once per process, not once per training run: a loop
// round reads every non-audit label again, and the worker's process runs round after round on
// (mostly) the same images. Within a run, load_samples already decodes each image once and
// augmentation works on the kept copy; this cache removes the repeated decode + resize of the
// images earlier rounds already read.
//
// Entries hold only pixels (boxes come from the labels of the moment, which change between
// rounds) and are keyed by project image id, file path, keep size and the file's size and
// modification time, so an edited or replaced file is decoded afresh. Memory is bounded: when an
// image would take the cache over its byte limit it is decoded as before and not kept. No
// eviction on purpose: every run reads all labeled images in the same order, where LRU would
// evict each entry just before its next use; keeping the first images that fit saves their
// decodes in every later run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <opencv2/core.hpp>
#include <string>

#include "core/types.h"

namespace boxloop {

// An image as training keeps it: downscaled (never upscaled) so its longer side is at most the
// keep size, with the size of the original (the stored boxes are in its pixels).
struct DecodedImage {
  cv::Mat bgr;  // shared with the cache: read it, never write to it
  int original_width = 0;
  int original_height = 0;
};

// Decodes `path` and downscales it to `keep_size` (INTER_AREA): what training does without the
// cache. Throws as read_image_bgr does (kNotFound / kCorrupt).
DecodedImage decode_for_training(const std::filesystem::path& path, int keep_size);

class DecodeCache {
 public:
  explicit DecodeCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The image `id` (of the project whose image file is `path`) as decode_for_training gives it.
  DecodedImage get(Id id, const std::filesystem::path& path, int keep_size);

  std::size_t bytes() const;
  std::size_t size() const;
  std::uint64_t hits() const;
  std::uint64_t misses() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0, misses_ = 0;
  std::map<std::string, DecodedImage> entries_;
};

// The cache training runs of this process share (the loop worker's rounds; a CLI `train` uses it
// once). Its limit, 256 MiB, holds ~600 images at a round's keep size of 448 px (4:3 photos).
DecodeCache& training_decode_cache();

}  // namespace boxloop
