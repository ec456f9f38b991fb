#include "active/uncertainty.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"

namespace boxloop::active {
namespace {

Detection detection(float score, std::vector<float> class_probs) {
  Detection d;
  d.score = score;
  d.class_probs = std::move(class_probs);
  return d;
}

TEST(BoxUncertainty, HandComputedValuesForEachMeasure) {
  const std::vector<float> probs = {0.7f, 0.2f, 0.1f};
  EXPECT_NEAR(box_uncertainty(probs, Measure::kLeastConfidence), 0.3, 1e-6);
  EXPECT_NEAR(box_uncertainty(probs, Measure::kMargin), 0.5, 1e-6);
  // -(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) / ln 3 = 0.8018186 / 1.0986123
  EXPECT_NEAR(box_uncertainty(probs, Measure::kEntropy), 0.729847, 1e-5);
}

TEST(BoxUncertainty, UniformIsMaximalAndOneHotIsZero) {
  const std::vector<float> uniform = {0.25f, 0.25f, 0.25f, 0.25f};
  EXPECT_NEAR(box_uncertainty(uniform, Measure::kLeastConfidence), 0.75, 1e-6);
  EXPECT_NEAR(box_uncertainty(uniform, Measure::kMargin), 1.0, 1e-6);
  EXPECT_NEAR(box_uncertainty(uniform, Measure::kEntropy), 1.0, 1e-6);
  const std::vector<float> one_hot = {0.0f, 1.0f, 0.0f};
  for (Measure m : {Measure::kLeastConfidence, Measure::kMargin, Measure::kEntropy}) {
    EXPECT_NEAR(box_uncertainty(one_hot, m), 0.0, 1e-9) << to_string(m);
  }
}

TEST(BoxUncertainty, EmptyVectorIsMaximallyUncertain) {
  for (Measure m : {Measure::kLeastConfidence, Measure::kMargin, Measure::kEntropy}) {
    EXPECT_EQ(box_uncertainty({}, m), 1.0) << to_string(m);
  }
}

TEST(BoxUncertainty, OneCategoryHasNoEntropyAndAZeroRunnerUp) {
  EXPECT_NEAR(box_uncertainty({0.8f}, Measure::kLeastConfidence), 0.2, 1e-6);
  EXPECT_NEAR(box_uncertainty({0.8f}, Measure::kMargin), 0.2, 1e-6);
  EXPECT_EQ(box_uncertainty({0.8f}, Measure::kEntropy), 0.0);
}

TEST(BoxUncertainty, OutOfRangeProbabilitiesStayOnTheScale) {
  EXPECT_NEAR(box_uncertainty({1.2f, -0.1f}, Measure::kLeastConfidence), 0.0, 1e-9);
  EXPECT_NEAR(box_uncertainty({1.2f, -0.1f}, Measure::kMargin), 0.0, 1e-9);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NEAR(box_uncertainty({nan, 0.5f, 0.5f}, Measure::kLeastConfidence), 0.5, 1e-6);
  // Per-class sigmoid outputs are renormalised: two equal ones are a coin toss.
  EXPECT_NEAR(box_uncertainty({0.4f, 0.4f}, Measure::kEntropy), 1.0, 1e-6);
}

TEST(ImageUncertainty, NoDetectionScoresOneUnderEveryAggregation) {
  for (Aggregation a :
       {Aggregation::kTopBox, Aggregation::kMean, Aggregation::kMax, Aggregation::kSum}) {
    EXPECT_EQ(image_uncertainty({}, Measure::kMargin, a, 0.25f), 1.0) << to_string(a);
  }
}

class ThreeBoxes : public ::testing::Test {
 protected:
  // Least confidence 0.4, 0.5 and 0.1; the last one scores under the default threshold.
  std::vector<Detection> boxes = {detection(0.9f, {0.6f, 0.4f}), detection(0.3f, {0.5f, 0.5f}),
                                  detection(0.1f, {0.9f, 0.1f})};
  [[nodiscard]] double of(Aggregation aggregation, float min_score = 0.25f) const {
    return image_uncertainty(boxes, Measure::kLeastConfidence, aggregation, min_score);
  }
};

TEST_F(ThreeBoxes, TopBoxTakesTheMostConfidentDetectionWhateverTheThreshold) {
  EXPECT_NEAR(of(Aggregation::kTopBox), 0.4, 1e-6);
  EXPECT_NEAR(of(Aggregation::kTopBox, 0.95f), 0.4, 1e-6);
}

TEST_F(ThreeBoxes, MeanMaxSumUseOnlyBoxesAtOrAboveTheThreshold) {
  EXPECT_NEAR(of(Aggregation::kMean), 0.45, 1e-6);
  EXPECT_NEAR(of(Aggregation::kMax), 0.5, 1e-6);
  EXPECT_NEAR(of(Aggregation::kSum), 0.9, 1e-6);
  // The threshold is inclusive: the 0.3 box counts at 0.3.
  EXPECT_NEAR(of(Aggregation::kMean, 0.3f), 0.45, 1e-6);
  // A lower threshold lets the third box in: 0.4 + 0.5 + 0.1.
  EXPECT_NEAR(of(Aggregation::kSum, 0.05f), 1.0, 1e-6);
  EXPECT_NEAR(of(Aggregation::kMean, 0.05f), 1.0 / 3, 1e-6);
  // With every box below the threshold the image counts as seeing nothing.
  EXPECT_EQ(of(Aggregation::kMean, 0.95f), 1.0);
  EXPECT_EQ(of(Aggregation::kMax, 0.95f), 1.0);
  EXPECT_EQ(of(Aggregation::kSum, 0.95f), 1.0);
}

TEST(Names, RoundTripAndRejectUnknownNamesListingTheValidOnes) {
  for (Measure m : {Measure::kLeastConfidence, Measure::kMargin, Measure::kEntropy}) {
    EXPECT_EQ(measure_from_string(to_string(m)), m);
  }
  for (Aggregation a :
       {Aggregation::kTopBox, Aggregation::kMean, Aggregation::kMax, Aggregation::kSum}) {
    EXPECT_EQ(aggregation_from_string(to_string(a)), a);
  }
  try {
    measure_from_string("confidence");
    FAIL() << "accepted an unknown measure";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("least_confidence, margin, entropy"), std::string::npos)
        << e.what();
  }
  try {
    aggregation_from_string("median");
    FAIL() << "accepted an unknown aggregation";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("top_box, mean, max, sum"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace boxloop::active
