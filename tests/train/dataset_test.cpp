#include "train/dataset.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "common/synth_project.h"
#include "core/error.h"
#include "core/geometry.h"

namespace boxloop {
namespace {

// A grey image with one white rectangle, labeled by that rectangle.
Sample white_box_sample() {
  Sample s;
  s.image_id = 1;
  s.bgr = cv::Mat(200, 300, CV_8UC3, cv::Scalar(40, 40, 40));
  cv::rectangle(s.bgr, cv::Rect(40, 60, 80, 50), cv::Scalar(255, 255, 255), cv::FILLED);
  s.boxes = {Box{40, 60, 80, 50}};
  s.labels = {0};
  return s;
}

std::vector<Sample> samples_with_ids(int n) {
  std::vector<Sample> out(n);
  for (int i = 0; i < n; ++i) out[i].image_id = 100 + i;
  return out;
}

TEST(Split, IsDeterministicDisjointAndSized) {
  const auto samples = samples_with_ids(50);
  const Split a = split_by_image(samples, 0.2, 3);
  const Split b = split_by_image(samples, 0.2, 3);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.val, b.val);
  // Each image is held out on its own hash, so the size is binomial around 10 (sd 2.8).
  EXPECT_NEAR(static_cast<double>(a.val.size()), 10.0, 6.0);
  EXPECT_EQ(a.train.size() + a.val.size(), 50u);
  for (std::size_t v : a.val) EXPECT_EQ(std::count(a.train.begin(), a.train.end(), v), 0);
  EXPECT_NE(split_by_image(samples, 0.2, 4).val, a.val) << "the seed changes the split";
}

TEST(Split, KeepsOneImageOnEachSideWhenItCan) {
  EXPECT_EQ(split_by_image(samples_with_ids(2), 0.1, 1).val.size(), 1u);
  EXPECT_EQ(split_by_image(samples_with_ids(1), 0.5, 1).train.size(), 1u);
  EXPECT_TRUE(split_by_image(samples_with_ids(5), 0.0, 1).val.empty());
  EXPECT_THROW(split_by_image(samples_with_ids(5), 1.0, 1), Error);
}

// Whatever the augmentation does, every target box must still frame the white rectangle.
TEST(Augment, BoxesFollowTheirPixelsThroughCropFlipAndResize) {
  const Sample s = white_box_sample();
  AugmentOptions a;
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 40; ++trial) {
    DetectionTarget t;
    const cv::Mat img = prepare_image(s, 96, &a, rng, t);
    ASSERT_EQ(img.cols, 96);
    ASSERT_EQ(t.boxes.size(), 1u) << "the crop keeps every box";
    const Box& b = t.boxes[0];
    EXPECT_TRUE(inside_image(b, 96, 96));
    // The box centre is inside the bright rectangle; a pixel well outside it is dark.
    cv::Mat grey;
    cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
    const int cx = static_cast<int>(b.x + b.w / 2), cy = static_cast<int>(b.y + b.h / 2);
    EXPECT_GT(grey.at<uchar>(cy, cx), 120) << "trial " << trial;
    const int out_x = b.x > 48 ? static_cast<int>(b.x) - 3 : static_cast<int>(b.right()) + 2;
    if (out_x >= 0 && out_x < 96) {
      EXPECT_LT(grey.at<uchar>(cy, out_x), 120) << "trial " << trial;
    }
  }
}

TEST(Augment, FlipMirrorsTheBoxAndHappensAboutHalfTheTime) {
  const Sample s = white_box_sample();
  AugmentOptions a;
  a.crop = false;
  a.brightness = a.contrast = a.saturation = 0;
  std::mt19937_64 rng(9);
  int flipped = 0;
  for (int trial = 0; trial < 40; ++trial) {
    DetectionTarget t;
    const cv::Mat img = prepare_image(s, 150, &a, rng, t);
    ASSERT_EQ(t.boxes.size(), 1u);
    // 300 -> 150 px: the box is x 20..60, or 90..130 when mirrored.
    const bool mirrored = std::abs(t.boxes[0].x - 90) < 1e-9;
    EXPECT_TRUE(mirrored || std::abs(t.boxes[0].x - 20) < 1e-9) << t.boxes[0].x;
    EXPECT_GT(img.at<cv::Vec3b>(50, mirrored ? 110 : 40)[0], 200);
    flipped += mirrored;
  }
  EXPECT_GT(flipped, 8);
  EXPECT_LT(flipped, 32);
}

TEST(Augment, WithoutAugmentationTheBoxIsJustScaled) {
  const Sample s = white_box_sample();
  std::mt19937_64 rng(1);
  DetectionTarget t;
  prepare_image(s, 150, nullptr, rng, t);
  ASSERT_EQ(t.boxes.size(), 1u);
  EXPECT_NEAR(t.boxes[0].x, 20, 1e-9);
  EXPECT_NEAR(t.boxes[0].y, 45, 1e-9);
  EXPECT_NEAR(t.boxes[0].w, 40, 1e-9);
  EXPECT_NEAR(t.boxes[0].h, 37.5, 1e-9);
}

TEST(Batch, IsBgrFloatNchwInUnitRange) {
  const std::vector<Sample> samples{white_box_sample(), white_box_sample()};
  std::mt19937_64 rng(1);
  const Batch b = make_batch(samples, {0, 1}, 64, nullptr, rng);
  EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{2, 3, 64, 64}));
  EXPECT_EQ(b.images.dtype(), torch::kFloat32);
  EXPECT_LE(b.images.max().item<float>(), 1.0f);
  EXPECT_NEAR(b.images[0][0][0][0].item<float>(), 40 / 255.0, 1e-6);
  EXPECT_EQ(b.targets.size(), 2u);
}

// Each of the four tiles brings its box, moved into its cell: every box frames white pixels and
// lies in a different quadrant around the mosaic's centre.
TEST(Mosaic, TilesFourSamplesAndMovesEachBoxWithItsTile) {
  std::vector<Sample> samples{white_box_sample(), white_box_sample()};
  samples[1].labels = {1};
  AugmentOptions a;
  a.brightness = a.contrast = a.saturation = 0;
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    DetectionTarget t;
    const cv::Mat img = prepare_mosaic(samples, {0, 1, 1, 0}, 128, a, rng, t);
    ASSERT_EQ(img.size(), cv::Size(128, 128));
    ASSERT_EQ(t.boxes.size(), 4u) << "trial " << trial;
    EXPECT_EQ(t.labels, (std::vector<int64_t>{0, 1, 1, 0}));
    cv::Mat grey;
    cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
    for (const Box& b : t.boxes) {
      EXPECT_TRUE(inside_image(b, 128, 128));
      const int cx = static_cast<int>(b.x + b.w / 2), cy = static_cast<int>(b.y + b.h / 2);
      EXPECT_GT(grey.at<uchar>(cy, cx), 120) << "trial " << trial;
    }
    // Each box stays in its own cell.
    for (std::size_t i = 0; i < t.boxes.size(); ++i) {
      for (std::size_t j = i + 1; j < t.boxes.size(); ++j) {
        EXPECT_LT(iou(t.boxes[i], t.boxes[j]), 0.01) << "tiles overlap";
      }
    }
  }
}

TEST(Mosaic, MakeBatchUsesItAtItsRateAndOnlyWithAPool) {
  const std::vector<Sample> samples{white_box_sample(), white_box_sample(), white_box_sample()};
  AugmentOptions a;
  a.mosaic = 1;
  std::mt19937_64 rng(4);
  const std::vector<std::size_t> pool{1, 2};
  const Batch always = make_batch(samples, {0, 0, 0}, 96, &a, rng, &pool);
  for (const auto& t : always.targets) EXPECT_EQ(t.boxes.size(), 4u);
  const Batch no_pool = make_batch(samples, {0, 0, 0}, 96, &a, rng);
  for (const auto& t : no_pool.targets) EXPECT_EQ(t.boxes.size(), 1u);
  a.mosaic = 0.5;
  int mosaics = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const Batch half = make_batch(samples, {0, 1, 2}, 64, &a, rng, &pool);
    for (const auto& t : half.targets) mosaics += t.boxes.size() > 1;
  }
  EXPECT_GT(mosaics, 15);
  EXPECT_LT(mosaics, 45);
  EXPECT_THROW(train_options_from_json(Json{{"mosaic", 1.5}}), Error);
  EXPECT_DOUBLE_EQ(train_options_from_json(Json{{"mosaic", 0.5}}).augment.mosaic, 0.5);
}

// A partly labeled sample whose one known region is its box: the region must move with the
// pixels exactly as the box does.
Sample partly_labeled_sample() {
  Sample s = white_box_sample();
  s.known = std::vector<Box>{s.boxes[0]};
  return s;
}

TEST(PartialLabels, KnownRegionsFollowTheirPixelsThroughCropFlipAndResize) {
  const Sample s = partly_labeled_sample();
  AugmentOptions a;
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 40; ++trial) {
    DetectionTarget t;
    prepare_image(s, 96, &a, rng, t);
    ASSERT_TRUE(t.known);
    ASSERT_EQ(t.known->size(), 1u);
    ASSERT_EQ(t.boxes.size(), 1u);
    const Box& r = t.known->at(0);
    const Box& b = t.boxes[0];
    EXPECT_NEAR(r.x, b.x, 1e-9) << "trial " << trial;
    EXPECT_NEAR(r.y, b.y, 1e-9);
    EXPECT_NEAR(r.w, b.w, 1e-9);
    EXPECT_NEAR(r.h, b.h, 1e-9);
  }
  DetectionTarget whole;
  prepare_image(white_box_sample(), 96, &a, rng, whole);
  EXPECT_FALSE(whole.known) << "a whole label stays whole";
}

TEST(PartialLabels, AMosaicKnowsTheCellsOfWholeTilesAndTheRegionsOfPartialOnes) {
  const std::vector<Sample> samples{white_box_sample(), partly_labeled_sample()};
  AugmentOptions a;
  a.brightness = a.contrast = a.saturation = 0;
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 10; ++trial) {
    DetectionTarget t;
    prepare_mosaic(samples, {0, 1, 1, 0}, 128, a, rng, t);
    ASSERT_TRUE(t.known);
    ASSERT_EQ(t.known->size(), 4u);
    ASSERT_EQ(t.boxes.size(), 4u);
    // Tiles 1 and 2 are partial: their region is their box. Tiles 0 and 3 are whole: their
    // region is their cell, which holds their box.
    for (std::size_t tile : {1u, 2u}) {
      EXPECT_LT(std::abs(iou(t.known->at(tile), t.boxes[tile]) - 1), 1e-9) << "trial " << trial;
    }
    for (std::size_t tile : {0u, 3u}) {
      const Box& cell = t.known->at(tile);
      EXPECT_NEAR(intersection_area(cell, t.boxes[tile]), area(t.boxes[tile]), 1e-6);
      EXPECT_GT(area(cell), area(t.boxes[tile]));
    }
    double covered = 0;
    for (std::size_t tile : {0u, 3u}) covered += area(t.known->at(tile));
    EXPECT_LT(covered, 128.0 * 128.0);
  }
  DetectionTarget whole;
  prepare_mosaic(samples, {0, 0, 0, 0}, 128, a, rng, whole);
  EXPECT_FALSE(whole.known);
}

TEST(PartialLabels, APartlyLabeledSampleNeverValidates) {
  auto samples = samples_with_ids(60);
  for (std::size_t i = 0; i < samples.size(); i += 2) samples[i].known = std::vector<Box>{};
  const Split split = split_by_image(samples, 0.3, 3);
  EXPECT_FALSE(split.val.empty());
  for (std::size_t v : split.val) EXPECT_FALSE(samples[v].known) << v;
  // Only partial ones: nothing validates, however small the set.
  auto partial = samples_with_ids(3);
  for (Sample& p : partial) p.known = std::vector<Box>{};
  EXPECT_TRUE(split_by_image(partial, 0.5, 1).val.empty());
}

TEST(LoadSamples, ReadsLabeledImagesWithClassByCategoryPosition) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", {"nine", "king"}, 3, 2);
  const auto samples = load_samples(*store, 160);
  ASSERT_EQ(samples.size(), 3u);
  const auto categories = store->categories();
  for (const Sample& s : samples) {
    EXPECT_EQ(std::max(s.bgr.cols, s.bgr.rows), 160) << "kept at the working size";
    const auto stored = store->annotations(s.image_id);
    ASSERT_EQ(s.boxes.size(), stored.size());
    for (std::size_t i = 0; i < stored.size(); ++i) {
      EXPECT_EQ(categories[static_cast<std::size_t>(s.labels[i])].id, stored[i].category_id);
      EXPECT_NEAR(s.boxes[i].x * s.scale_x, stored[i].box.x, 1e-6);
    }
  }
}

}  // namespace
}  // namespace boxloop
