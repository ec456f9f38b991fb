#include "train/dataset.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/geometry.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

// Keeps the boxes that still have most of their area inside the window [0,w) x [0,h).
void clip_targets(std::vector<Box>& boxes, std::vector<int64_t>& labels, int w, int h,
                  double min_kept_area) {
  std::vector<Box> kept_boxes;
  std::vector<int64_t> kept_labels;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const Box clipped = clip(boxes[i], w, h);
    const double before = area(boxes[i]);
    if (before <= 0 || area(clipped) < min_kept_area * before || clipped.w < 1 || clipped.h < 1) {
      continue;
    }
    kept_boxes.push_back(clipped);
    kept_labels.push_back(labels[i]);
  }
  boxes = std::move(kept_boxes);
  labels = std::move(kept_labels);
}

void colour_jitter(cv::Mat& bgr, const AugmentOptions& a, std::mt19937_64& rng) {
  if (a.saturation > 0) {
    cv::Mat hsv;
    cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
    std::vector<cv::Mat> ch;
    cv::split(hsv, ch);
    ch[1].convertTo(ch[1], -1, uniform(rng, 1 - a.saturation, 1 + a.saturation), 0);
    cv::merge(ch, hsv);
    cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  }
  const double contrast = uniform(rng, 1 - a.contrast, 1 + a.contrast);
  const double brightness = uniform(rng, -a.brightness, a.brightness) * 255.0;
  // Contrast around the mean grey, then a brightness shift; convertTo saturates to 0..255.
  const cv::Scalar m = cv::mean(bgr);
  const double mean = (m[0] + m[1] + m[2]) / 3.0;
  bgr.convertTo(bgr, -1, contrast, (1 - contrast) * mean + brightness);
}

}  // namespace

std::map<Id, int64_t> class_indices(const std::vector<Category>& categories) {
  std::map<Id, int64_t> class_of;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    class_of[categories[i].id] = static_cast<int64_t>(i);
  }
  return class_of;
}

Sample read_sample(Store& store, const Image& image, const std::vector<Annotation>& boxes,
                   const std::map<Id, int64_t>& class_of, int keep_size, DecodeCache* cache) {
  const fs::path file = resolve_inside(store.image_dir(), image.path);
  const DecodedImage decoded =
      cache ? cache->get(image.id, file, keep_size) : decode_for_training(file, keep_size);
  Sample s;
  s.image_id = image.id;
  s.path = image.path;
  s.bgr = decoded.bgr;
  // The stored boxes are in pixels of the original; the kept image may be rounded by a pixel.
  s.scale_x = static_cast<double>(decoded.original_width) / s.bgr.cols;
  s.scale_y = static_cast<double>(decoded.original_height) / s.bgr.rows;
  for (const Annotation& a : boxes) {
    const auto it = class_of.find(a.category_id);
    if (it == class_of.end()) {
      throw Error{ErrorCode::kInternal, "image " + image.path + " has a box of unknown category " +
                                            std::to_string(a.category_id)};
    }
    s.boxes.push_back(
        Box{a.box.x / s.scale_x, a.box.y / s.scale_y, a.box.w / s.scale_x, a.box.h / s.scale_y});
    s.labels.push_back(it->second);
  }
  clip_targets(s.boxes, s.labels, s.bgr.cols, s.bgr.rows, 0.0);
  return s;
}

std::vector<Sample> load_samples(Store& store, int keep_size, LabeledSubset subset,
                                 const ProgressFn& progress, const CancelFn& cancel,
                                 DecodeCache* cache) {
  const std::map<Id, int64_t> class_of = class_indices(store.categories());
  std::vector<LabeledImage> labeled = store.labeled_images();
  if (labeled.empty() && subset != LabeledSubset::kAudit) {
    throw Error{ErrorCode::kInvalidArgument,
                "the project has no labeled images: label some images (or `boxloop "
                "import-labels`) before training"};
  }
  if (subset != LabeledSubset::kAll) {
    const bool want_audit = subset == LabeledSubset::kAudit;
    std::erase_if(labeled, [&](const LabeledImage& l) { return l.image.audit != want_audit; });
    if (labeled.empty() && !want_audit) {
      throw Error{ErrorCode::kInvalidArgument,
                  "every labeled image is in the audit set, which rounds never train on: label "
                  "more images (or train a final model with --include-audit)"};
    }
  }
  std::vector<Sample> samples;
  samples.reserve(labeled.size());
  for (std::size_t i = 0; i < labeled.size(); ++i) {
    if (cancel && cancel()) throw Error{ErrorCode::kCancelled, "training cancelled"};
    Sample& s = samples.emplace_back(
        read_sample(store, labeled[i].image, labeled[i].boxes, class_of, keep_size, cache));
    if (!labeled[i].regions.empty()) {
      s.known.emplace();
      for (const Box& r : labeled[i].regions) {
        s.known->push_back(Box{r.x / s.scale_x, r.y / s.scale_y, r.w / s.scale_x, r.h / s.scale_y});
      }
    }
    if (progress) {
      progress(static_cast<double>(i + 1) / labeled.size(),
               "reading image " + std::to_string(i + 1) + "/" + std::to_string(labeled.size()));
    }
  }
  return samples;
}

Split split_by_image(const std::vector<Sample>& samples, double val_fraction, std::uint64_t seed) {
  if (val_fraction < 0 || val_fraction >= 1) {
    throw Error{ErrorCode::kInvalidArgument, "the validation fraction must be in [0, 1)"};
  }
  const auto key = [&](std::size_t i) {
    return splitmix64(static_cast<std::uint64_t>(samples[i].image_id) ^ splitmix64(seed));
  };
  // The threshold on the hash alone decides, so an image's side never depends on the others: a
  // split that sorted by hash and cut at a count moved images into validation as images came in.
  const double threshold = val_fraction * 18446744073709551616.0;  // 2^64
  Split split;
  std::size_t whole = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const bool partial = samples[i].known.has_value();
    whole += partial ? 0 : 1;
    (!partial && static_cast<double>(key(i)) < threshold ? split.val : split.train).push_back(i);
  }
  if (val_fraction > 0 && whole >= 2 && split.val.empty()) {
    auto lowest =
        std::min_element(split.train.begin(), split.train.end(), [&](std::size_t a, std::size_t b) {
          // Whole samples first: a partial one never validates.
          const bool pa = samples[a].known.has_value();
          const bool pb = samples[b].known.has_value();
          return pa != pb ? pb : key(a) < key(b);
        });
    split.val.push_back(*lowest);
    split.train.erase(lowest);
  }
  if (split.train.empty() && !split.val.empty()) {
    auto highest = std::max_element(split.val.begin(), split.val.end(),
                                    [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    split.train.push_back(*highest);
    split.val.erase(highest);
  }
  return split;
}

cv::Mat prepare_image(const Sample& sample, int input_size, const AugmentOptions* augment,
                      std::mt19937_64& rng, DetectionTarget& target) {
  return prepare_image(sample, cv::Size(input_size, input_size), augment, rng, target);
}

cv::Mat prepare_image(const Sample& sample, cv::Size size, const AugmentOptions* augment,
                      std::mt19937_64& rng, DetectionTarget& target) {
  std::vector<Box> boxes = sample.boxes;
  std::vector<int64_t> labels = sample.labels;
  std::optional<std::vector<Box>> known = sample.known;
  cv::Rect window(0, 0, sample.bgr.cols, sample.bgr.rows);
  if (augment && augment->crop && !boxes.empty()) {
    double x0 = boxes[0].x, y0 = boxes[0].y, x1 = boxes[0].right(), y1 = boxes[0].bottom();
    for (const Box& b : boxes) {
      x0 = std::min(x0, b.x);
      y0 = std::min(y0, b.y);
      x1 = std::max(x1, b.right());
      y1 = std::max(y1, b.bottom());
    }
    const int left = static_cast<int>(uniform(rng, 0, std::max(0.0, std::floor(x0))));
    const int top = static_cast<int>(uniform(rng, 0, std::max(0.0, std::floor(y0))));
    const int right =
        static_cast<int>(std::ceil(uniform(rng, std::min<double>(x1, window.width), window.width)));
    const int bottom = static_cast<int>(
        std::ceil(uniform(rng, std::min<double>(y1, window.height), window.height)));
    if (right - left >= 8 && bottom - top >= 8) {
      window = cv::Rect(left, top, right - left, bottom - top);
      for (Box& b : boxes) {
        b.x -= left;
        b.y -= top;
      }
      clip_targets(boxes, labels, window.width, window.height, augment->min_kept_area);
      if (known) {
        for (Box& r : *known)
          r = clip(Box{r.x - left, r.y - top, r.w, r.h}, window.width, window.height);
      }
    }
  }
  cv::Mat resized;
  cv::resize(sample.bgr(window), resized, size, 0, 0, cv::INTER_LINEAR);
  const double sx = static_cast<double>(size.width) / window.width;
  const double sy = static_cast<double>(size.height) / window.height;
  for (Box& b : boxes) b = Box{b.x * sx, b.y * sy, b.w * sx, b.h * sy};
  if (known) {
    for (Box& r : *known) r = Box{r.x * sx, r.y * sy, r.w * sx, r.h * sy};
  }
  if (augment) {
    if (augment->flip && std::bernoulli_distribution(0.5)(rng)) {
      cv::flip(resized, resized, 1);
      for (Box& b : boxes) b.x = size.width - b.right();
      if (known) {
        for (Box& r : *known) r.x = size.width - r.right();
      }
    }
    colour_jitter(resized, *augment, rng);
  }
  target.boxes = std::move(boxes);
  target.labels = std::move(labels);
  target.known = std::move(known);
  return resized;
}

cv::Mat prepare_mosaic(const std::vector<Sample>& samples, const std::array<std::size_t, 4>& tiles,
                       int input_size, const AugmentOptions& augment, std::mt19937_64& rng,
                       DetectionTarget& target) {
  // The centre stays in the middle 40 %, so no tile is thinner than 30 % of the image: cards
  // shrunk further would be smaller than the photos ever show them.
  const int cx = static_cast<int>(uniform(rng, 0.3, 0.7) * input_size);
  const int cy = static_cast<int>(uniform(rng, 0.3, 0.7) * input_size);
  const std::array<cv::Rect, 4> cells{cv::Rect(0, 0, cx, cy), cv::Rect(cx, 0, input_size - cx, cy),
                                      cv::Rect(0, cy, cx, input_size - cy),
                                      cv::Rect(cx, cy, input_size - cx, input_size - cy)};
  cv::Mat canvas(input_size, input_size, CV_8UC3);
  target.boxes.clear();
  target.labels.clear();
  target.known.reset();
  // Where the canvas's labels are complete: the whole cell of a fully labeled tile, the regions
  // of a partly labeled one; unset when every tile is whole.
  std::vector<Box> known;
  bool partial = false;
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    const cv::Rect& cell = cells[t];
    DetectionTarget tile_target;
    const cv::Mat tile =
        prepare_image(samples.at(tiles[t]), cell.size(), &augment, rng, tile_target);
    tile.copyTo(canvas(cell));
    for (std::size_t b = 0; b < tile_target.boxes.size(); ++b) {
      const Box& box = tile_target.boxes[b];
      if (box.w < 2 || box.h < 2) continue;
      target.boxes.push_back(Box{box.x + cell.x, box.y + cell.y, box.w, box.h});
      target.labels.push_back(tile_target.labels[b]);
    }
    if (tile_target.known) {
      partial = true;
      for (const Box& r : *tile_target.known) {
        known.push_back(Box{r.x + cell.x, r.y + cell.y, r.w, r.h});
      }
    } else {
      known.push_back(Box{static_cast<double>(cell.x), static_cast<double>(cell.y),
                          static_cast<double>(cell.width), static_cast<double>(cell.height)});
    }
  }
  if (partial) target.known = std::move(known);
  return canvas;
}

torch::Tensor image_tensor(const cv::Mat& bgr, int input_size) {
  cv::Mat resized = bgr;
  if (bgr.cols != input_size || bgr.rows != input_size) {
    cv::resize(bgr, resized, cv::Size(input_size, input_size), 0, 0, cv::INTER_LINEAR);
  }
  cv::Mat f;
  resized.convertTo(f, CV_32FC3, 1.0 / 255.0);
  return torch::from_blob(f.data, {1, input_size, input_size, 3}, torch::kFloat32)
      .permute({0, 3, 1, 2})
      .contiguous();
}

Batch make_batch(const std::vector<Sample>& samples, const std::vector<std::size_t>& indices,
                 int input_size, const AugmentOptions* augment, std::mt19937_64& rng,
                 const std::vector<std::size_t>* mosaic_pool) {
  Batch batch;
  std::vector<torch::Tensor> images;
  const bool mosaics = augment && augment->mosaic > 0 && mosaic_pool && !mosaic_pool->empty();
  for (std::size_t i : indices) {
    DetectionTarget target;
    cv::Mat img;
    if (mosaics && std::bernoulli_distribution(augment->mosaic)(rng)) {
      std::uniform_int_distribution<std::size_t> pick(0, mosaic_pool->size() - 1);
      const std::array<std::size_t, 4> tiles{i, (*mosaic_pool)[pick(rng)],
                                             (*mosaic_pool)[pick(rng)], (*mosaic_pool)[pick(rng)]};
      img = prepare_mosaic(samples, tiles, input_size, *augment, rng, target);
    } else {
      img = prepare_image(samples.at(i), input_size, augment, rng, target);
    }
    images.push_back(image_tensor(img, input_size));
    batch.targets.push_back(std::move(target));
  }
  batch.images = torch::cat(images, 0);
  return batch;
}

}  // namespace boxloop
