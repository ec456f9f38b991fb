#include "synth/synth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <random>
#include <set>

#include "core/error.h"
#include "core/geometry.h"
#include "formats/formats.h"
#include "imageio/image_file.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(Synth, SameSeedAndIndexGiveTheSamePixelsAndBoxes) {
  SynthOptions options;
  options.seed = 7;
  const SynthImage a = synth_image(options, 3);
  const SynthImage b = synth_image(options, 3);
  EXPECT_TRUE(same_pixels(a.bgr, b.bgr));
  ASSERT_EQ(a.labels.boxes.size(), b.labels.boxes.size());
  for (std::size_t i = 0; i < a.labels.boxes.size(); ++i) {
    EXPECT_EQ(a.labels.boxes[i], b.labels.boxes[i]);
  }
  EXPECT_EQ(a.labels.file, "synth_7_3.jpg");
  // Another index or another seed gives another picture.
  EXPECT_FALSE(same_pixels(a.bgr, synth_image(options, 4).bgr));
  options.seed = 8;
  EXPECT_FALSE(same_pixels(a.bgr, synth_image(options, 3).bgr));
}

TEST(Synth, ImagesHoldOneToFourCardsInsideTheImageWithoutMuchOverlap) {
  SynthOptions options;
  options.seed = 11;
  std::set<std::size_t> counts;
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    const SynthImage image = synth_image(options, i);
    EXPECT_EQ(image.bgr.cols, 480);
    EXPECT_EQ(image.bgr.rows, 360);
    EXPECT_EQ(image.bgr.type(), CV_8UC3);
    const auto& boxes = image.labels.boxes;
    counts.insert(boxes.size());
    for (std::size_t a = 0; a < boxes.size(); ++a) {
      seen.insert(boxes[a].category);
      EXPECT_TRUE(inside_image(boxes[a].box, 480, 360));
      EXPECT_GT(boxes[a].box.w, 30);
      for (std::size_t b = a + 1; b < boxes.size(); ++b) {
        EXPECT_LT(iou(boxes[a].box, boxes[b].box), 0.3) << image.labels.file;
      }
    }
  }
  EXPECT_EQ(*counts.begin(), 1u);
  EXPECT_EQ(*counts.rbegin(), 4u);
  EXPECT_EQ(seen.size(), 6u);  // all six ranks appear
}

// The box is tight: the card is bright inside it and its edge rows/columns touch the card.
TEST(Synth, BoxesAreTightAroundTheCards) {
  SynthOptions options;
  options.seed = 5;
  options.max_cards = 1;
  for (int i = 0; i < 10; ++i) {
    const SynthImage image = synth_image(options, i);
    ASSERT_EQ(image.labels.boxes.size(), 1u);
    const Box& b = image.labels.boxes[0].box;
    cv::Mat gray;
    cv::cvtColor(image.bgr, gray, cv::COLOR_BGR2GRAY);
    const cv::Rect rect(static_cast<int>(b.x), static_cast<int>(b.y), static_cast<int>(b.w),
                        static_cast<int>(b.h));
    // The card's centre region is mostly paper-white.
    const cv::Rect centre(rect.x + rect.width / 3, rect.y + rect.height / 3, rect.width / 3,
                          rect.height / 3);
    cv::Mat bright = gray(centre) > 200;
    EXPECT_GT(cv::countNonZero(bright), centre.area() / 3) << image.labels.file;
    // Each side of the box touches white card pixels.
    auto has_paper = [&](const cv::Rect& r) { return cv::countNonZero(gray(r) > 200) > 0; };
    EXPECT_TRUE(has_paper({rect.x, rect.y, 2, rect.height})) << image.labels.file;
    EXPECT_TRUE(has_paper({rect.x + rect.width - 2, rect.y, 2, rect.height}));
    EXPECT_TRUE(has_paper({rect.x, rect.y, rect.width, 2}));
    EXPECT_TRUE(has_paper({rect.x, rect.y + rect.height - 2, rect.width, 2}));
  }
}

TEST(Synth, WritesJpegAndVocThatReadBack) {
  const fs::path dir =
      fs::temp_directory_path() / ("boxloop-synth-" + std::to_string(std::random_device{}()));
  SynthOptions options;
  options.count = 4;
  options.seed = 3;
  options.width = 200;
  options.height = 160;
  std::vector<double> fractions;
  const auto labels = write_synth_dataset(
      dir, options, [&](double f, const std::string&) { fractions.push_back(f); });
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_EQ(fractions.back(), 1.0);
  const ReadResult read = read_voc_dir(dir, card_ranks());
  EXPECT_TRUE(read.problems.empty());
  ASSERT_EQ(read.images.size(), 4u);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    EXPECT_EQ(read.images[i].file, labels[i].file);
    EXPECT_EQ(read.images[i].boxes, labels[i].boxes);
    const ImageInfo info = inspect_image_file(dir / labels[i].file);
    EXPECT_EQ(info.width, 200);
    EXPECT_EQ(info.height, 160);
  }
  fs::remove_all(dir);
}

TEST(Synth, RefusesBadOptions) {
  SynthOptions options;
  options.width = 10;
  EXPECT_THROW(synth_image(options, 0), Error);
  options = {};
  options.min_cards = 3;
  options.max_cards = 2;
  EXPECT_THROW(synth_image(options, 0), Error);
}

}  // namespace
}  // namespace boxloop
