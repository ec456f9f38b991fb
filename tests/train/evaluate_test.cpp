// mAP on hand-made cases whose AP is worked out in the comments.
#include "train/evaluate.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace boxloop {
namespace {

Detection det(Box box, int cls, float score) {
  Detection d;
  d.box = box;
  d.class_index = cls;
  d.score = score;
  return d;
}

const Box kA{10, 10, 50, 50};
const Box kB{100, 100, 40, 60};
const Box kFar{300, 300, 20, 20};

TEST(Evaluate, PerfectDetectionsScoreOne) {
  std::vector<EvalImage> images(2);
  images[0].truths = {{kA, 0}, {kB, 0}};
  images[0].detections = {det(kA, 0, 0.9f), det(kB, 0, 0.8f)};
  images[1].truths = {{kA, 0}};
  images[1].detections = {det(kA, 0, 0.7f)};
  const EvalResult r = evaluate_detections(images, 1);
  EXPECT_DOUBLE_EQ(r.map50, 1.0);
  EXPECT_DOUBLE_EQ(r.map, 1.0);
  EXPECT_DOUBLE_EQ(*r.ap50[0], 1.0);
}

TEST(Evaluate, FalsePositiveRankedFirstHalvesPrecision) {
  // Ranked: FP (p=0, r=0), TP (p=1/2, r=1). Envelope 0.5 at every recall level: AP = 0.5.
  std::vector<EvalImage> images(1);
  images[0].truths = {{kA, 0}};
  images[0].detections = {det(kFar, 0, 0.9f), det(kA, 0, 0.5f)};
  EXPECT_DOUBLE_EQ(evaluate_detections(images, 1).map50, 0.5);
}

TEST(Evaluate, FalsePositiveRankedLastCostsNothing) {
  // TP (p=1, r=1) then FP: recall 1 is reached at precision 1.
  std::vector<EvalImage> images(1);
  images[0].truths = {{kA, 0}};
  images[0].detections = {det(kA, 0, 0.9f), det(kFar, 0, 0.5f)};
  EXPECT_DOUBLE_EQ(evaluate_detections(images, 1).map50, 1.0);
}

TEST(Evaluate, MissedBoxCapsRecall) {
  // Two truths, one found: precision 1 up to recall 0.5 -> recall levels 0.00..0.50 (51 of 101).
  std::vector<EvalImage> images(1);
  images[0].truths = {{kA, 0}, {kB, 0}};
  images[0].detections = {det(kA, 0, 0.9f)};
  EXPECT_NEAR(evaluate_detections(images, 1).map50, 51.0 / 101.0, 1e-12);
}

TEST(Evaluate, DuplicateDetectionIsAFalsePositive) {
  // The second box on the same truth matches nothing: TP, FP, then TP of the other truth.
  // Precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1: envelope 1 up to r=0.5 (51 levels), 2/3 above
  // (50 levels). AP = (51 + 50 * 2/3) / 101.
  std::vector<EvalImage> images(1);
  images[0].truths = {{kA, 0}, {kB, 0}};
  images[0].detections = {det(kA, 0, 0.9f), det(Box{11, 11, 50, 50}, 0, 0.8f), det(kB, 0, 0.7f)};
  EXPECT_NEAR(evaluate_detections(images, 1).map50, (51 + 50 * 2.0 / 3.0) / 101.0, 1e-12);
}

TEST(Evaluate, WrongClassDoesNotMatch) {
  std::vector<EvalImage> images(1);
  images[0].truths = {{kA, 0}};
  images[0].detections = {det(kA, 1, 0.9f)};
  const EvalResult r = evaluate_detections(images, 2);
  EXPECT_DOUBLE_EQ(r.map50, 0.0);
  EXPECT_FALSE(r.ap50[1].has_value()) << "class 1 has no truth: excluded, not zero";
}

TEST(Evaluate, TwoClassesAreAveragedAndClassWithoutTruthExcluded) {
  // Class 0 perfect (1.0); class 1 has an FP ranked first (0.5); class 2 has no truth and only
  // a detection: excluded, so mAP = (1 + 0.5) / 2.
  std::vector<EvalImage> images(2);
  images[0].truths = {{kA, 0}, {kB, 1}};
  images[0].detections = {det(kA, 0, 0.9f), det(kB, 1, 0.4f), det(kFar, 2, 0.9f)};
  images[1].truths = {};
  images[1].detections = {det(kA, 1, 0.8f)};
  const EvalResult r = evaluate_detections(images, 3);
  EXPECT_DOUBLE_EQ(*r.ap50[0], 1.0);
  EXPECT_DOUBLE_EQ(*r.ap50[1], 0.5);
  EXPECT_FALSE(r.ap50[2].has_value());
  EXPECT_DOUBLE_EQ(r.map50, 0.75);
  const Json j = eval_result_json(r, {"nine", "ten", "jack"});
  EXPECT_DOUBLE_EQ(j["per_class_ap50"]["ten"].get<double>(), 0.5);
  EXPECT_FALSE(j["per_class_ap50"].contains("jack"));
}

TEST(Evaluate, LooseBoxCountsOnlyAtLowIouThresholds) {
  // Shifting a 100x100 box by 15 px gives IoU 85*100 / (2*10000 - 8500) = 0.739: a match at
  // 0.50..0.70 (5 of the 10 thresholds), a miss above. AP@0.5 = 1, AP@0.5:0.95 = 0.5.
  std::vector<EvalImage> images(1);
  images[0].truths = {{Box{0, 0, 100, 100}, 0}};
  images[0].detections = {det(Box{15, 0, 100, 100}, 0, 0.9f)};
  const EvalResult r = evaluate_detections(images, 1);
  EXPECT_DOUBLE_EQ(r.map50, 1.0);
  EXPECT_DOUBLE_EQ(r.map, 0.5);
}

TEST(Evaluate, GreedyMatchingTakesTheHigherScoreFirst) {
  // Two truths side by side; the top detection overlaps both but truth 0 best, so truth 0 is
  // taken; the second detection (IoU 1 with truth 0, 0 with truth 1) is then a duplicate.
  std::vector<EvalImage> images(1);
  images[0].truths = {{Box{0, 0, 100, 100}, 0}, {Box{100, 0, 100, 100}, 0}};
  images[0].detections = {det(Box{20, 0, 100, 100}, 0, 0.9f), det(Box{0, 0, 100, 100}, 0, 0.8f)};
  // TP, FP; recall 1/2 at precision 1 -> 51/101.
  EXPECT_NEAR(evaluate_detections(images, 1).map50, 51.0 / 101.0, 1e-12);
}

TEST(Evaluate, NoDetectionsScoreZeroAndBadClassIsRejected) {
  std::vector<EvalImage> images(1);
  images[0].truths = {{kA, 0}};
  EXPECT_DOUBLE_EQ(evaluate_detections(images, 1).map50, 0.0);
  images[0].truths = {{kA, 3}};
  EXPECT_THROW(evaluate_detections(images, 2), Error);
}

}  // namespace
}  // namespace boxloop
