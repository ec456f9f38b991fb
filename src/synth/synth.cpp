#include "synth/synth.h"

#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "core/error.h"
#include "core/geometry.h"
#include "formats/formats.h"
#include "imageio/image_file.h"
#include "synth/background.h"
#include "synth/card.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

// One generator per image from both seed and index, so image i never depends on images < i.
std::mt19937_64 image_rng(std::uint64_t seed, int index) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(index), 0x9e3779b9u};
  return std::mt19937_64(seq);
}

void check_options(const SynthOptions& o) {
  if (o.width < 64 || o.height < 64 || o.width > 8192 || o.height > 8192) {
    throw Error(ErrorCode::kInvalidArgument, "synthetic image size must be 64..8192 pixels a side");
  }
  if (o.min_cards < 1 || o.max_cards < o.min_cards || o.max_cards > 12) {
    throw Error(ErrorCode::kInvalidArgument, "cards per image must satisfy 1 <= min <= max <= 12");
  }
  if (o.categories.empty()) throw Error(ErrorCode::kInvalidArgument, "no categories to draw");
  if (o.count < 0) throw Error(ErrorCode::kInvalidArgument, "count must not be negative");
}

// Pastes the card rotated by `angle` degrees with its centre at `centre`; returns the tight box
// of the pixels it covers. Works on the card's own region of the image only: warping and blending
// the whole image per card made drawing ten times slower.
Box paste_rotated(cv::Mat& image, const CardPicture& card, cv::Point2d centre, double angle) {
  cv::Mat transform =
      cv::getRotationMatrix2D(cv::Point2f(card.bgr.cols / 2.0f, card.bgr.rows / 2.0f), angle, 1.0);
  transform.at<double>(0, 2) += centre.x - card.bgr.cols / 2.0;
  transform.at<double>(1, 2) += centre.y - card.bgr.rows / 2.0;
  std::vector<cv::Point2f> corners = {
      {0, 0},
      {static_cast<float>(card.bgr.cols), 0},
      {0, static_cast<float>(card.bgr.rows)},
      {static_cast<float>(card.bgr.cols), static_cast<float>(card.bgr.rows)}};
  cv::transform(corners, corners, transform);
  const cv::Rect region =
      (cv::boundingRect(corners) + cv::Point(-2, -2) + cv::Size(4, 4)) & cv::Rect({}, image.size());
  transform.at<double>(0, 2) -= region.x;
  transform.at<double>(1, 2) -= region.y;
  cv::Mat warped, mask;
  cv::warpAffine(card.bgr, warped, transform, region.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpAffine(card.mask, mask, transform, region.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  // Soft edges: blend by the interpolated mask so the card border is anti-aliased.
  cv::Mat alpha, warped_f, image_f;
  mask.convertTo(alpha, CV_32F, 1.0 / 255);
  cv::cvtColor(alpha, alpha, cv::COLOR_GRAY2BGR);
  warped.convertTo(warped_f, CV_32FC3);
  cv::Mat target = image(region);
  target.convertTo(image_f, CV_32FC3);
  image_f = image_f.mul(cv::Scalar::all(1.0) - alpha) + warped_f.mul(alpha);
  image_f.convertTo(target, CV_8UC3);
  const cv::Rect bounds = cv::boundingRect(mask > 127);
  return Box{static_cast<double>(bounds.x + region.x), static_cast<double>(bounds.y + region.y),
             static_cast<double>(bounds.width), static_cast<double>(bounds.height)};
}

// The axis-aligned size of a w x h rectangle turned by `angle` degrees.
cv::Size2d rotated_extent(double w, double h, double angle) {
  const double r = angle * M_PI / 180.0;
  return {std::abs(w * std::cos(r)) + std::abs(h * std::sin(r)),
          std::abs(w * std::sin(r)) + std::abs(h * std::cos(r))};
}

}  // namespace

const std::vector<std::string>& card_ranks() {
  static const std::vector<std::string> kRanks = {"nine", "ten", "jack", "queen", "king", "ace"};
  return kRanks;
}

SynthImage synth_image(const SynthOptions& options, int index) {
  check_options(options);
  std::mt19937_64 rng = image_rng(options.seed, index);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> card_count(options.min_cards, options.max_cards);
  std::uniform_int_distribution<int> category_pick(0,
                                                   static_cast<int>(options.categories.size()) - 1);

  SynthImage result;
  result.bgr = draw_background(options.width, options.height, rng);
  result.labels.file =
      "synth_" + std::to_string(options.seed) + "_" + std::to_string(index) + ".jpg";
  result.labels.width = options.width;
  result.labels.height = options.height;

  const int wanted = card_count(rng);
  const double short_side = std::min(options.width, options.height);
  std::vector<Box> placed;
  // Rejection sampling of positions; a crowded image simply ends up with fewer cards.
  for (int attempt = 0; attempt < 60 * wanted && static_cast<int>(placed.size()) < wanted;
       ++attempt) {
    const double card_h = short_side * (0.28 + 0.2 * unit(rng));
    const double card_w = card_h * (0.66 + 0.08 * unit(rng));
    const double angle = (unit(rng) - 0.5) * 30.0;  // within +-15 degrees
    const cv::Size2d extent = rotated_extent(card_w, card_h, angle);
    if (extent.width + 4 > options.width || extent.height + 4 > options.height) continue;
    const double cx = extent.width / 2 + 2 + unit(rng) * (options.width - extent.width - 4);
    const double cy = extent.height / 2 + 2 + unit(rng) * (options.height - extent.height - 4);
    const Box estimate{cx - extent.width / 2, cy - extent.height / 2, extent.width, extent.height};
    bool crowded = false;
    for (const Box& other : placed) {
      // Cards may touch and overlap a little, never hide much of one another.
      const double overlap = intersection_area(estimate, other);
      if (overlap > 0.1 * std::min(area(estimate), area(other))) crowded = true;
    }
    if (crowded) continue;
    const int category = category_pick(rng);
    const CardPicture card = draw_card(category, static_cast<int>(std::lround(card_w)),
                                       static_cast<int>(std::lround(card_h)), rng);
    const Box box = paste_rotated(result.bgr, card, {cx, cy}, angle);
    placed.push_back(box);
    result.labels.boxes.push_back({options.categories[static_cast<std::size_t>(category)], box});
  }
  return result;
}

std::vector<ImageLabels> write_synth_dataset(const fs::path& dir, const SynthOptions& options,
                                             const ProgressFn& progress) {
  check_options(options);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::kIo, dir.string() + ": cannot create folder: " + ec.message());
  std::vector<ImageLabels> all;
  all.reserve(static_cast<std::size_t>(options.count));
  for (int i = 0; i < options.count; ++i) {
    SynthImage image = synth_image(options, i);
    std::vector<uchar> jpeg;
    if (!cv::imencode(".jpg", image.bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 92})) {
      throw Error(ErrorCode::kInternal, "JPEG encoding failed for " + image.labels.file);
    }
    write_file_atomically(
        dir / image.labels.file,
        std::string_view(reinterpret_cast<const char*>(jpeg.data()), jpeg.size()));
    write_file_atomically(dir / fs::path(image.labels.file).replace_extension(".xml"),
                          voc_xml(image.labels));
    all.push_back(std::move(image.labels));
    if (progress) {
      progress(static_cast<double>(i + 1) / options.count,
               std::to_string(i + 1) + "/" + std::to_string(options.count) + " images");
    }
  }
  return all;
}

}  // namespace boxloop
