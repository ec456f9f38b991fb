// The pieces of the two losses on cases worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "detector/anchors.h"
#include "detector/fastestdet_loss.h"
#include "detector/retinanet_loss.h"

namespace boxloop {
namespace {

std::set<std::pair<int64_t, int64_t>> cells(const FastestDetAssignment& a) {
  std::set<std::pair<int64_t, int64_t>> out;
  for (int64_t i = 0; i < a.gx.numel(); ++i) {
    out.emplace(a.gx[i].item<int64_t>(), a.gy[i].item<int64_t>());
  }
  return out;
}

TEST(Siou, IdenticalBoxesScoreOneAndWorseBoxesLess) {
  auto box = torch::tensor({5.f, 5.f, 2.f, 4.f}).view({1, 4});
  EXPECT_NEAR(siou(box, box).item<float>(), 1.0f, 1e-5);
  // Same size, shifted one unit: IoU 4 / 12 = 1/3, minus a distance cost.
  auto shifted = torch::tensor({6.f, 5.f, 2.f, 4.f}).view({1, 4});
  const float s = siou(shifted, box).item<float>();
  EXPECT_LT(s, 1.f / 3);
  EXPECT_GT(s, 0.f);
}

TEST(FastestDetTargets, FourCornerPointsAroundTheCentre) {
  // Input 64 px, 4 x 4 grid of 16 px cells. Centre (40, 24) px = (2.5, 1.5) cells: the corner
  // points (2..3, 1..2) can all reach it with tanh offsets in (-1, 1).
  DetectionTarget t{{Box{32, 16, 16, 16}}, {1}, {}};
  auto a = assign_fastestdet_targets({t}, 64, 4, 4, torch::kCPU);
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(cells(a), (std::set<P>{{2, 1}, {3, 1}, {2, 2}, {3, 2}}));
  EXPECT_TRUE(torch::allclose(a.boxes[0], torch::tensor({2.5f, 1.5f, 1.f, 1.f})));
  EXPECT_TRUE(a.labels.eq(1).all().item<bool>());
  // Centre (0.25, 3.75) cells at the bottom-left edge: only the in-grid points (0, 3), (1, 3).
  DetectionTarget edge{{Box{0, 56, 8, 8}}, {0}, {}};
  a = assign_fastestdet_targets({DetectionTarget{}, edge}, 64, 4, 4, torch::kCPU);
  EXPECT_EQ(cells(a), (std::set<P>{{0, 3}, {1, 3}}));
  EXPECT_TRUE(a.batch.eq(1).all().item<bool>());
}

TEST(RetinaNetMatching, ThresholdsAndLowQualityMatches) {
  auto gt = torch::tensor({0.f, 0.f, 10.f, 10.f, 100.f, 100.f, 104.f, 104.f}).view({2, 4});
  auto anchors = torch::tensor({0.f,   0.f,   10.f,  10.f,    // IoU 1 with box 0
                                0.f,   0.f,   10.f,  22.f,    // 100 / 220 = 0.45: ignored
                                5.f,   0.f,   15.f,  10.f,    // 50 / 150 = 0.33: background
                                50.f,  50.f,  60.f,  60.f,    // 0: background
                                100.f, 100.f, 110.f, 110.f})  // 16 / 100, box 1's best: positive
                     .view({5, 4});
  auto matched = match_anchors(gt, anchors);
  EXPECT_TRUE(torch::equal(matched, torch::tensor({0, -2, -1, -1, 1}, torch::kLong)));
  EXPECT_TRUE(match_anchors(torch::zeros({0, 4}), anchors).eq(-1).all().item<bool>());
}

TEST(FocalLoss, MatchesTheFormula) {
  // logit 0: p = 0.5, cross-entropy log 2, modulating (1 - 0.5)^2 = 0.25.
  auto pos = sigmoid_focal_loss(torch::zeros({1}), torch::ones({1})).item<float>();
  auto neg = sigmoid_focal_loss(torch::zeros({1}), torch::zeros({1})).item<float>();
  EXPECT_NEAR(pos, 0.25 * std::log(2.0) * 0.25, 1e-6);
  EXPECT_NEAR(neg, 0.75 * std::log(2.0) * 0.25, 1e-6);
  // A confident right answer costs almost nothing: the point of the focal term.
  EXPECT_LT(sigmoid_focal_loss(torch::full({1}, 5.0), torch::ones({1})).item<float>(), 1e-6);
}

TEST(Anchors, CentredOnCellsWithScaledShapes) {
  AnchorSpec spec;
  spec.strides = {8};
  spec.scales = {1.0};
  spec.ratios = {1.0, 4.0};
  auto a = make_anchors(spec, {{1, 2}}, torch::kCPU);
  ASSERT_EQ(a.size(0), 4);
  // Cell (0, 0): centre (4, 4), side 32 -> square; ratio 4 -> 16 wide, 64 high.
  EXPECT_TRUE(torch::allclose(a[0], torch::tensor({-12.f, -12.f, 20.f, 20.f})));
  EXPECT_TRUE(torch::allclose(a[1], torch::tensor({-4.f, -28.f, 12.f, 36.f})));
  // Cell (0, 1): 8 px to the right.
  EXPECT_TRUE(torch::allclose(a[2], torch::tensor({-4.f, -12.f, 28.f, 20.f})));
}

TEST(PartialLabels, FastestDetLearnsNoObjectnessOutsideTheKnownRegions) {
  // Input 64 px, 4 x 4 grid of 16 px cells; no boxes. Known: the left half (columns 0 and 1).
  auto obj = torch::zeros({1, 1, 4, 4}, torch::requires_grad());
  FastestDetLogits logits{obj, torch::zeros({1, 4, 4, 4}), torch::zeros({1, 2, 4, 4})};
  DetectionTarget left;
  left.known = std::vector<Box>{Box{0, 0, 32, 64}};
  fastestdet_loss(logits, {left}, 64).total.backward();
  auto grad = obj.grad().view({4, 4});
  EXPECT_TRUE(grad.slice(1, 0, 2).ne(0).all().item<bool>());  // background taught on the left
  EXPECT_TRUE(grad.slice(1, 2, 4).eq(0).all().item<bool>());  // nothing on the right

  // Nothing known: no objectness loss at all; a whole image teaches every cell.
  DetectionTarget nothing;
  nothing.known = std::vector<Box>{};
  EXPECT_EQ(fastestdet_loss(logits, {nothing}, 64).parts.at("obj"), 0.f);
  EXPECT_GT(fastestdet_loss(logits, {DetectionTarget{}}, 64).parts.at("obj"), 0.f);
}

TEST(PartialLabels, RetinaNetIgnoresBackgroundAnchorsOutsideTheKnownRegions) {
  AnchorSpec spec;
  spec.strides = {8};
  spec.scales = {1.0};
  spec.ratios = {1.0};
  auto anchors = make_anchors(spec, {{1, 2}}, torch::kCPU);  // centres (4, 4) and (12, 4)
  RetinaNetHeadOutput out{torch::zeros({1, 2, 3}, torch::requires_grad()),
                          torch::zeros({1, 2, 4}, torch::requires_grad())};
  DetectionTarget left;
  left.known = std::vector<Box>{Box{0, 0, 8, 8}};
  retinanet_loss(out, anchors, {left}).total.backward();
  auto grad = out.class_logits.grad()[0];
  EXPECT_TRUE(grad[0].ne(0).all().item<bool>());
  EXPECT_TRUE(grad[1].eq(0).all().item<bool>());
}

}  // namespace
}  // namespace boxloop
