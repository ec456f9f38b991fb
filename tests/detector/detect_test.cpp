// detect(): well-formed detections (full probability vectors, boxes inside the input), the
// caller's train/eval mode left alone, bad input rejected with kInvalidArgument.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "detector/detector.h"
#include "test_images.h"

namespace boxloop {
namespace {

class DetectTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DetectTest, BlankImageGivesProbabilityVectors) {
  DetectorConfig config{.arch = GetParam(), .num_classes = 5, .input_size = 96};
  config.score_threshold = 0.0f;  // an untrained net: keep everything so there is something
  config.max_detections = 20;
  auto det = make_detector(config);
  det->train();
  auto out = det->detect(torch::full({2, 3, 96, 96}, 0.5));
  EXPECT_TRUE(det->is_training());
  ASSERT_EQ(out.size(), 2u);
  for (const auto& detections : out) {
    ASSERT_FALSE(detections.empty());
    EXPECT_LE(detections.size(), 20u);
    for (size_t i = 0; i < detections.size(); ++i) {
      const auto& d = detections[i];
      ASSERT_EQ(d.class_probs.size(), 5u);
      EXPECT_NEAR(std::accumulate(d.class_probs.begin(), d.class_probs.end(), 0.0), 1.0, 1e-4);
      const auto best = std::max_element(d.class_probs.begin(), d.class_probs.end());
      EXPECT_EQ(d.class_index, best - d.class_probs.begin());
      EXPECT_GE(d.score, 0);
      EXPECT_LE(d.score, 1);
      if (i > 0) {
        EXPECT_LE(d.score, detections[i - 1].score);
      }
      EXPECT_GE(d.box.x, 0);
      EXPECT_GE(d.box.y, 0);
      EXPECT_LE(d.box.right(), 96 + 1e-3);
      EXPECT_LE(d.box.bottom(), 96 + 1e-3);
    }
  }
  det->eval();
  det->detect(torch::zeros({1, 3, 96, 96}));
  EXPECT_FALSE(det->is_training());
}

TEST_P(DetectTest, BadInputIsRejected) {
  auto det = make_detector(DetectorConfig{.arch = GetParam(), .num_classes = 2, .input_size = 64});
  auto expect_invalid = [](auto&& fn) {
    try {
      fn();
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << e.what();
    }
  };
  expect_invalid([&] { det->detect(torch::zeros({1, 3, 96, 96})); });
  expect_invalid([&] { det->detect(torch::zeros({3, 64, 64})); });
  auto images = torch::zeros({2, 3, 64, 64});
  expect_invalid([&] { det->loss(images, {DetectionTarget{}}); });
  DetectionTarget bad_label{{Box{1, 1, 10, 10}}, {2}, {}};
  expect_invalid([&] { det->loss(images, {bad_label, DetectionTarget{}}); });
  DetectionTarget mismatched{{Box{1, 1, 10, 10}}, {}, {}};
  expect_invalid([&] { det->loss(images, {mismatched, DetectionTarget{}}); });
}

INSTANTIATE_TEST_SUITE_P(Architectures, DetectTest, ::testing::Values("fastestdet", "retinanet"));

}  // namespace
}  // namespace boxloop
