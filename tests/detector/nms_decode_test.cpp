// NMS and decoding on hand-made tensors whose answers follow from the definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "detector/box_coder.h"
#include "detector/decode.h"
#include "detector/nms.h"

namespace boxloop {
namespace {

TEST(Nms, SuppressesOverlapsWithinAClassOnly) {
  // Box 1 overlaps box 0 by IoU 81/119 = 0.68 (same class: dropped); box 2 is the same box as 1
  // but another class (kept); box 3 is far away (kept).
  auto boxes = torch::tensor({0.f, 0.f, 10.f, 10.f, 1.f, 1.f, 11.f, 11.f, 1.f, 1.f, 11.f, 11.f,
                              50.f, 50.f, 60.f, 60.f})
                   .view({4, 4});
  auto scores = torch::tensor({0.9f, 0.8f, 0.7f, 0.6f});
  auto classes = torch::tensor({0, 0, 1, 0}, torch::kLong);
  auto keep = class_aware_nms(boxes, scores, classes, 0.5f, 100);
  EXPECT_EQ(keep, (std::vector<int64_t>{0, 2, 3}));
  // Above the overlap (0.68 < 0.7) nothing is suppressed.
  EXPECT_EQ(class_aware_nms(boxes, scores, classes, 0.7f, 100).size(), 4u);
}

TEST(Nms, OrdersByScoreAndCapsTheCount) {
  auto boxes = torch::tensor({0.f, 0.f, 1.f, 1.f, 10.f, 10.f, 11.f, 11.f, 20.f, 20.f, 21.f, 21.f})
                   .view({3, 4});
  auto scores = torch::tensor({0.2f, 0.9f, 0.5f});
  auto classes = torch::zeros({3}, torch::kLong);
  EXPECT_EQ(class_aware_nms(boxes, scores, classes, 0.5f, 2), (std::vector<int64_t>{1, 2}));
}

TEST(Nms, SelectDetectionsKeepsTheProbabilityVector) {
  Candidates c;
  c.boxes = torch::tensor({2.f, 3.f, 12.f, 23.f}).view({1, 4});
  c.scores = torch::tensor({0.7f});
  c.classes = torch::tensor({1}, torch::kLong);
  c.probs = torch::tensor({0.2f, 0.7f, 0.1f}).view({1, 3});
  auto d = select_detections(c, 0.45f, 10);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].box, (Box{2, 3, 10, 20}));
  EXPECT_EQ(d[0].class_index, 1);
  EXPECT_FLOAT_EQ(d[0].score, 0.7f);
  EXPECT_EQ(d[0].class_probs, (std::vector<float>{0.2f, 0.7f, 0.1f}));
}

TEST(DecodeFastestDet, OneConfidentCell) {
  // A 2-class map of 4 x 4 cells at input 64 (16 px per cell). Cell (gx 2, gy 1) has obj 0.9 and
  // class probabilities (0.2, 0.8); regression 0 gives centre = the cell's corner point (2, 1)
  // cells = (32, 16) px and size sigmoid(0) = 0.5 of the input = 32 px.
  auto map = torch::zeros({7, 4, 4});
  map[5].fill_(0.5);
  map[6].fill_(0.5);
  map[0][1][2] = 0.9;
  map[5][1][2] = 0.2;
  map[6][1][2] = 0.8;
  auto c = decode_fastestdet(map, 64, 0.1f);
  ASSERT_EQ(c.scores.size(0), 1);
  EXPECT_NEAR(c.scores[0].item<float>(), std::pow(0.9, 0.6) * std::pow(0.8, 0.4), 1e-5);
  EXPECT_EQ(c.classes[0].item<int64_t>(), 1);
  auto box = c.boxes[0];
  EXPECT_NEAR(box[0].item<float>(), 16, 1e-4);
  EXPECT_NEAR(box[1].item<float>(), 0, 1e-4);
  EXPECT_NEAR(box[2].item<float>(), 48, 1e-4);
  EXPECT_NEAR(box[3].item<float>(), 32, 1e-4);
}

TEST(DecodeFastestDet, TanhOffsetsAndClipping) {
  // tanh(atanh(0.5)) = 0.5 cell right; sigmoid(log 3) = 0.75 of the input wide: clipped at 0..64.
  auto map = torch::zeros({6, 4, 4});
  map[5].fill_(1.0);
  map[0][0][0] = 1.0;
  map[1][0][0] = std::atanh(0.5);
  map[3][0][0] = std::log(3.0);
  auto c = decode_fastestdet(map, 64, 0.5f);
  ASSERT_EQ(c.scores.size(0), 1);
  // centre x = 0.5 cell = 8 px, width 48 px -> -16..32 clipped to 0..32.
  EXPECT_NEAR(c.boxes[0][0].item<float>(), 0, 1e-4);
  EXPECT_NEAR(c.boxes[0][2].item<float>(), 32, 1e-4);
}

TEST(BoxCoder, EncodeDecodeRoundTripAndKnownDeltas) {
  auto anchors = torch::tensor({0.f, 0.f, 10.f, 10.f}).view({1, 4});
  auto boxes = torch::tensor({5.f, 0.f, 15.f, 20.f}).view({1, 4});
  auto d = encode_boxes(boxes, anchors);
  // centre moves (5, 5) = (0.5, 0.5) anchor sides; width x1, height x2.
  EXPECT_TRUE(torch::allclose(d, torch::tensor({0.5f, 0.5f, 0.f, std::log(2.f)}).view({1, 4})));
  EXPECT_TRUE(torch::allclose(decode_boxes(d, anchors), boxes, 1e-5, 1e-5));
}

TEST(BoxCoder, PairwiseIou) {
  auto a = torch::tensor({0.f, 0.f, 10.f, 10.f}).view({1, 4});
  auto b = torch::tensor({5.f, 0.f, 15.f, 10.f, 20.f, 20.f, 30.f, 30.f}).view({2, 4});
  auto iou = box_iou(a, b);
  EXPECT_NEAR(iou[0][0].item<float>(), 50.f / 150.f, 1e-6);
  EXPECT_NEAR(iou[0][1].item<float>(), 0.f, 1e-6);
}

TEST(DecodeRetinaNet, NormalisesSigmoidsAndDecodesBoxes) {
  auto anchors = torch::tensor({0.f, 0.f, 10.f, 10.f, 20.f, 20.f, 30.f, 30.f}).view({2, 4});
  // Anchor 0: sigmoids 0.75 and 0.25 -> score 0.75, probs (0.75, 0.25). Anchor 1 below threshold.
  auto logits = torch::tensor({std::log(3.f), -std::log(3.f), -5.f, -5.f}).view({2, 2});
  auto deltas = torch::zeros({2, 4});
  auto c = decode_retinanet(logits, deltas, anchors, 64, 0.5f);
  ASSERT_EQ(c.scores.size(0), 1);
  EXPECT_NEAR(c.scores[0].item<float>(), 0.75f, 1e-5);
  EXPECT_NEAR(c.probs[0][0].item<float>(), 0.75f, 1e-5);
  EXPECT_NEAR(c.probs[0][1].item<float>(), 0.25f, 1e-5);
  EXPECT_TRUE(torch::allclose(c.boxes[0], anchors[0]));
}

}  // namespace
}  // namespace boxloop
