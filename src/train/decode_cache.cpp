#include "train/decode_cache.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <system_error>

#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

DecodedImage decode_for_training(const fs::path& path, int keep_size) {
  const cv::Mat bgr = read_image_bgr(path);
  DecodedImage decoded;
  decoded.original_width = bgr.cols;
  decoded.original_height = bgr.rows;
  const double scale = std::min(1.0, static_cast<double>(keep_size) / std::max(bgr.cols, bgr.rows));
  if (scale < 1.0) {
    cv::resize(bgr, decoded.bgr, cv::Size(), scale, scale, cv::INTER_AREA);
  } else {
    decoded.bgr = bgr;
  }
  return decoded;
}

DecodedImage DecodeCache::get(Id id, const fs::path& path, int keep_size) {
  // The file's size and time stamp are part of the key: a file replaced under the same path
  // (a project folder edited by hand) is a miss, not stale pixels.
  std::error_code size_error, time_error;
  const auto file_size = fs::file_size(path, size_error);
  const auto written = fs::last_write_time(path, time_error);
  if (size_error || time_error) return decode_for_training(path, keep_size);  // throws, named
  const std::string key = std::to_string(id) + '|' + std::to_string(keep_size) + '|' +
                          std::to_string(file_size) + '|' +
                          std::to_string(written.time_since_epoch().count()) + '|' + path.string();
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(key); it != entries_.end()) {
      ++hits_;
      return it->second;
    }
    ++misses_;
  }
  // Decoded outside the lock: the workers of several projects may read images at once.
  DecodedImage decoded = decode_for_training(path, keep_size);
  const std::size_t bytes = decoded.bgr.total() * decoded.bgr.elemSize();
  std::lock_guard lock(mutex_);
  if (bytes_ + bytes <= max_bytes_ && entries_.emplace(key, decoded).second) bytes_ += bytes;
  return decoded;
}

std::size_t DecodeCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t DecodeCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t DecodeCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t DecodeCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

void DecodeCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  bytes_ = 0;
}

DecodeCache& training_decode_cache() {
  static DecodeCache cache(std::size_t{256} << 20);
  return cache;
}

}  // namespace boxloop
