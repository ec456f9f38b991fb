// The networks have the shapes of the published ones: same tensor names and counts as the
// state_dicts described in ../shared/models/*/README.md, same output map.
#include <gtest/gtest.h>

#include "core/error.h"
#include "detector/fastestdet.h"
#include "detector/pretrained.h"
#include "detector/retinanet.h"
#include "detector/shufflenetv2.h"

namespace boxloop {
namespace {

int64_t numbers(const StateDict& state) {
  int64_t total = 0;
  for (const auto& [name, t] : state) total += t.numel();
  return total;
}

bool has(const StateDict& state, const std::string& name) {
  for (const auto& [n, t] : state) {
    if (n == name) return true;
  }
  return false;
}

TEST(Architecture, FastestDetMatchesTheCocoStateDict) {
  // README: 420 entries, 252,938 numbers (parameters and BN buffers) for 80 classes.
  FastestDet net(DetectorConfig{.arch = "fastestdet", .num_classes = 80});
  const auto state = module_state(net);
  EXPECT_EQ(state.size(), 420u);
  EXPECT_EQ(numbers(state), 252938);
  EXPECT_TRUE(has(state, "backbone.stage2.0.branch_proj.2.weight"));
  EXPECT_TRUE(has(state, "backbone.stage4.3.branch_main.6.running_var"));
  EXPECT_TRUE(has(state, "SPP.S3.7.num_batches_tracked"));
  EXPECT_TRUE(has(state, "detect_head.cls_layers.conv5x5.3.weight"));
}

TEST(Architecture, ShuffleNetMatchesTheImageNetStateDict) {
  ShuffleNetV2 backbone;
  const auto state = module_state(*backbone);
  EXPECT_EQ(state.size(), 330u);
  EXPECT_EQ(numbers(state), 149095);
}

TEST(Architecture, FastestDetOutputMapShape) {
  FastestDet net(DetectorConfig{.arch = "fastestdet", .num_classes = 3, .input_size = 160});
  net.eval();
  torch::NoGradGuard no_grad;
  auto map = net.forward(torch::rand({2, 3, 160, 160}));
  EXPECT_EQ(map.sizes(), (std::vector<int64_t>{2, 8, 10, 10}));
  // Channel 0 is a sigmoid, channels 5.. a softmax over the classes.
  EXPECT_TRUE(map.select(1, 0).ge(0).all().item<bool>());
  EXPECT_TRUE(map.select(1, 0).le(1).all().item<bool>());
  EXPECT_TRUE(torch::allclose(map.slice(1, 5).sum(1), torch::ones({2, 10, 10}), 1e-5, 1e-5));
}

TEST(Architecture, RetinaNetOutputsOneRowPerAnchor) {
  for (const char* arch : {"retinanet", "retinanet_resnet18"}) {
    auto det = make_detector(DetectorConfig{.arch = arch, .num_classes = 4, .input_size = 128});
    auto* net = dynamic_cast<RetinaNet*>(det.get());
    ASSERT_NE(net, nullptr);
    net->eval();
    torch::NoGradGuard no_grad;
    auto out = net->forward(torch::rand({1, 3, 128, 128}));
    // Levels 16, 8, 4, 2, 1 cells a side, 9 anchors each.
    const int64_t anchors = 9 * (256 + 64 + 16 + 4 + 1);
    EXPECT_EQ(out.class_logits.sizes(), (std::vector<int64_t>{1, anchors, 4})) << arch;
    EXPECT_EQ(out.box_deltas.sizes(), (std::vector<int64_t>{1, anchors, 4})) << arch;
    EXPECT_EQ(net->anchors(torch::kCPU).size(0), anchors) << arch;
  }
}

TEST(Architecture, UnknownArchAndBadConfigAreRejected) {
  EXPECT_THROW(make_detector(DetectorConfig{.arch = "yolo"}), Error);
  EXPECT_THROW(make_detector(DetectorConfig{.arch = "fastestdet", .input_size = 100}), Error);
  EXPECT_THROW(make_detector(DetectorConfig{.arch = "fastestdet", .num_classes = 0}), Error);
  EXPECT_EQ(detector_names().front(), "fastestdet");
}

}  // namespace
}  // namespace boxloop
