// Both architectures learn: the loss falls over 30 optimiser steps on a tiny in-test batch.
#include <gtest/gtest.h>

#include <numeric>

#include "detector/detector.h"
#include "test_images.h"

namespace boxloop {
namespace {

std::vector<float> train_losses(const std::string& arch, int steps, double lr) {
  torch::manual_seed(7);
  auto det = make_detector(DetectorConfig{.arch = arch, .num_classes = 2, .input_size = 128});
  auto batch = testing::rect_batch(4, 128, 2, 11);
  torch::optim::Adam optimizer(det->parameters(), torch::optim::AdamOptions(lr));
  det->train();
  std::vector<float> losses;
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    auto loss = det->loss(batch.images, batch.targets);
    loss.total.backward();
    optimizer.step();
    losses.push_back(loss.total.item<float>());
    EXPECT_TRUE(std::isfinite(losses.back())) << arch << " step " << i;
    EXPECT_FALSE(loss.parts.empty());
  }
  return losses;
}

class LossDecreases : public ::testing::TestWithParam<std::string> {};

TEST_P(LossDecreases, OnATinyBatch) {
  // FastestDet's head (no bias, BN) tolerates a larger step than RetinaNet's prior-biased one.
  const double lr = GetParam() == "fastestdet" ? 1e-2 : 2e-3;
  const auto losses = train_losses(GetParam(), 30, lr);
  const float first = std::accumulate(losses.begin(), losses.begin() + 3, 0.f) / 3;
  const float last = std::accumulate(losses.end() - 3, losses.end(), 0.f) / 3;
  EXPECT_LT(last, 0.6f * first) << GetParam() << ": " << first << " -> " << last;
}

INSTANTIATE_TEST_SUITE_P(Architectures, LossDecreases,
                         ::testing::Values("fastestdet", "retinanet"));

TEST(Loss, ImagesWithoutBoxesStillTrainObjectness) {
  auto det =
      make_detector(DetectorConfig{.arch = "fastestdet", .num_classes = 2, .input_size = 64});
  auto images = torch::rand({2, 3, 64, 64});
  auto loss = det->loss(images, {DetectionTarget{}, DetectionTarget{}});
  EXPECT_GT(loss.total.item<float>(), 0);
  EXPECT_EQ(loss.parts.at("box"), 0);
  loss.total.backward();  // no error: the graph reaches the objectness head
}

}  // namespace
}  // namespace boxloop
