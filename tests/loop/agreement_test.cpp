// The stop signal: agreement of two models' predictions, and the rule that reads it.
#include "loop/agreement.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "loop/state/curve.h"
#include "loop_project.h"

namespace boxloop::loop {
namespace {

Detection det(double x, double y, int cls, float score) {
  Detection d;
  d.box = Box{x, y, 20, 20};
  d.class_index = cls;
  d.score = score;
  return d;
}

TEST(Agreement, IdenticalPredictionsAgreeFullyAndDisjointOnesNotAtAll) {
  const std::vector<std::vector<Detection>> a{
      {det(0, 0, 0, 0.9f), det(50, 50, 1, 0.8f)}, {det(10, 10, 2, 0.7f)}, {}};
  AgreementOptions o;
  o.min_boxes = 1;
  const Agreement same = agreement(a, a, o);
  ASSERT_TRUE(same.f1);
  EXPECT_DOUBLE_EQ(*same.f1, 1.0);
  EXPECT_EQ(same.matched, 3);

  const std::vector<std::vector<Detection>> far{{det(200, 200, 0, 0.9f)}, {}, {det(0, 0, 1, 0.9f)}};
  EXPECT_DOUBLE_EQ(*agreement(a, far, o).f1, 0.0);
}

TEST(Agreement, MatchesAreClassAwareAndCountOnlyConfidentBoxes) {
  AgreementOptions o;
  o.min_boxes = 1;
  const std::vector<std::vector<Detection>> a{{det(0, 0, 0, 0.9f), det(100, 0, 0, 0.9f)}};
  // Same place, other class: no match. Same place, same class, shifted by a quarter: IoU 0.6.
  const std::vector<std::vector<Detection>> b{
      {det(0, 0, 1, 0.9f), det(105, 0, 0, 0.9f), det(300, 0, 0, 0.1f)}};
  const Agreement r = agreement(a, b, o);
  EXPECT_EQ(r.boxes_a, 2);
  EXPECT_EQ(r.boxes_b, 2) << "the 0.1 box is below min_score";
  EXPECT_EQ(r.matched, 1);
  EXPECT_DOUBLE_EQ(*r.f1, 0.5);
  // Too few boxes to say anything: no value rather than a flattering 1.0.
  o.min_boxes = 10;
  EXPECT_FALSE(agreement(a, b, o).f1);
  EXPECT_FALSE(agreement({{}}, {{}}, o).f1);
}

TEST(Agreement, AModelAgreesWithItselfAndNotWithAnUnrelatedOne) {
  boxloop::testing::TempDir dir;
  testing::LoopProject project(dir.path() / "p", {"nine", "king"}, 12);
  DetectorConfig config;
  config.num_classes = 2;
  config.input_size = 64;
  config.score_threshold = 0.0f;
  torch::manual_seed(1);
  auto a = make_detector(config);
  torch::manual_seed(2);
  auto b = make_detector(config);
  AgreementOptions o;
  o.min_score = 0.0f;
  o.min_boxes = 1;
  o.sample = 8;
  const Agreement self = compare_models(project.store(), *a, *a, o);
  EXPECT_EQ(self.images, 8);
  ASSERT_TRUE(self.f1);
  EXPECT_GT(self.boxes_a, 0);
  EXPECT_DOUBLE_EQ(*self.f1, 1.0);
  const Agreement other = compare_models(project.store(), *a, *b, o);
  ASSERT_TRUE(other.f1);
  EXPECT_LT(*other.f1, 0.5);
}

TEST(Agreement, TheSampleIsFixedButForImagesLabeledMeanwhile) {
  boxloop::testing::TempDir dir;
  testing::LoopProject project(dir.path() / "p", {"nine", "king"}, 12);
  const std::vector<Image> before = agreement_sample(project.store(), 5);
  ASSERT_EQ(before.size(), 5u);
  EXPECT_EQ(agreement_sample(project.store(), 5).front().id, before.front().id);
  // Labeling the first sampled image drops it; the others keep their order.
  const std::vector<Image> images = project.store().images();
  for (int n = 0; n < static_cast<int>(images.size()); ++n) {
    if (images[static_cast<std::size_t>(n)].id == before.front().id) project.label(n);
  }
  const std::vector<Image> after = agreement_sample(project.store(), 4);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(after[i].id, before[i + 1].id);
}

CurvePoint point(std::optional<double> f1) {
  CurvePoint p;
  p.agreement = f1;
  return p;
}

TEST(StopSignal, SaysStopOnlyAfterKRoundsInARowAboveTheThreshold) {
  const StopRule rule{0.9, 3};
  EXPECT_FALSE(stop_signal({}, rule).stopped_changing);
  EXPECT_NE(stop_signal({point(std::nullopt)}, rule).message.find("No agreement"),
            std::string::npos);
  const auto s2 = stop_signal({point(0.95), point(0.5), point(0.92), point(0.97)}, rule);
  EXPECT_EQ(s2.rounds_above, 2);
  EXPECT_FALSE(s2.stopped_changing);
  EXPECT_NE(s2.message.find("still changing"), std::string::npos);
  const auto s3 = stop_signal({point(0.5), point(0.92), point(0.97), point(0.9)}, rule);
  EXPECT_EQ(s3.rounds_above, 3);
  EXPECT_TRUE(s3.stopped_changing);
  EXPECT_NE(s3.message.find("stopped changing"), std::string::npos);
  // A round without a measurement breaks the run.
  EXPECT_FALSE(stop_signal({point(0.95), point(0.95), point(std::nullopt)}, rule).stopped_changing);
}

}  // namespace
}  // namespace boxloop::loop
