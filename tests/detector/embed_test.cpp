// Detector::embed: the pooled backbone features that diversity-based sampling ranks with.
#include <gtest/gtest.h>

#include "core/error.h"
#include "detector/detector.h"

namespace boxloop {
namespace {

TEST(Embed, GivesOneFiniteVectorPerImageForEveryArchitecture) {
  torch::manual_seed(3);
  for (const auto& [arch, dim] : {std::pair{"fastestdet", 192}, std::pair{"retinanet", 192},
                                  std::pair{"retinanet_resnet18", 512}}) {
    auto det = make_detector(DetectorConfig{.arch = arch, .num_classes = 2, .input_size = 64});
    det->train();
    const torch::Tensor images = torch::rand({3, 3, 64, 64});
    const torch::Tensor features = det->embed(images);
    EXPECT_EQ(features.sizes(), (std::vector<int64_t>{3, dim})) << arch;
    EXPECT_EQ(features.scalar_type(), torch::kFloat) << arch;
    EXPECT_TRUE(features.device().is_cpu()) << arch;
    EXPECT_TRUE(torch::isfinite(features).all().item<bool>()) << arch;
    EXPECT_FALSE(features.requires_grad()) << arch;
    // Different images, different vectors.
    EXPECT_GT((features[0] - features[1]).abs().max().item<float>(), 0) << arch;
    // Eval mode (running BatchNorm statistics): an image's vector does not depend on its batch,
    // and the caller's training mode is left as it was.
    const torch::Tensor alone = det->embed(images.slice(0, 1, 2));
    EXPECT_TRUE(torch::allclose(alone[0], features[1], 1e-4, 1e-5)) << arch;
    EXPECT_TRUE(det->is_training()) << arch;
    EXPECT_THROW(det->embed(torch::rand({1, 3, 32, 32})), Error) << arch;
  }
}

}  // namespace
}  // namespace boxloop
