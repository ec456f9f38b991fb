// Reading .pth state_dicts: by name, with the class layer re-initialised when the class count
// differs; clear errors for missing, truncated, foreign and legacy files; the real CUDA-saved COCO
// file loads on the CPU (optional: needs ../shared).
#include "detector/pretrained.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>

#include "core/error.h"
#include "detector/fastestdet.h"
#include "detector/retinanet.h"
#include "test_images.h"

namespace boxloop {
namespace {

using ::boxloop::testing::make_temp_dir;
using ::boxloop::testing::shared_dir;

class PretrainedTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("pretrained"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A state_dict file as Python's torch.save writes it (zip format, name -> tensor dict).
  std::filesystem::path save_state(const torch::nn::Module& module, const std::string& name) {
    c10::Dict<std::string, torch::Tensor> dict;
    for (const auto& [key, tensor] : module_state(module)) dict.insert(key, tensor);
    return write(name, torch::jit::pickle_save(c10::IValue(dict)));
  }
  std::filesystem::path write(const std::string& name, const std::vector<char>& bytes) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return path;
  }
  ErrorCode error_of(const std::filesystem::path& path, std::string* message) {
    try {
      read_state_dict(path);
    } catch (const Error& e) {
      *message = e.what();
      return e.code();
    }
    ADD_FAILURE() << "no error for " << path;
    return ErrorCode::kInternal;
  }
  std::filesystem::path dir_;
};

TEST_F(PretrainedTest, SixClassesKeepEverythingButTheClassLayer) {
  torch::manual_seed(1);
  FastestDet coco(DetectorConfig{.arch = "fastestdet", .num_classes = 80});
  auto path = save_state(coco, "coco.pth");
  FastestDet cards(DetectorConfig{.arch = "fastestdet", .num_classes = 6});
  auto report = load_state_dict_by_name(cards, read_state_dict(path));
  // The class layer's pointwise conv and its BN (4 tensors of 80, not 6) keep their init.
  EXPECT_EQ(
      report.shape_mismatch,
      (std::vector<std::string>{
          "detect_head.cls_layers.conv5x5.3.weight", "detect_head.cls_layers.conv5x5.4.weight",
          "detect_head.cls_layers.conv5x5.4.bias", "detect_head.cls_layers.conv5x5.4.running_mean",
          "detect_head.cls_layers.conv5x5.4.running_var"}));
  EXPECT_EQ(report.loaded.size(), 415u);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unused.empty());
  auto a = coco.named_parameters()["SPP.output.0.weight"];
  auto b = cards.named_parameters()["SPP.output.0.weight"];
  EXPECT_TRUE(torch::equal(a, b));
  // load_pretrained reports the same through its return value.
  FastestDet again(DetectorConfig{.arch = "fastestdet", .num_classes = 6});
  EXPECT_EQ(again.load_pretrained(path), report.loaded);
}

TEST_F(PretrainedTest, BareBackboneGoesUnderBackbone) {
  ShuffleNetV2 backbone;
  auto path = save_state(*backbone, "shufflenet.pth");
  RetinaNet net(DetectorConfig{.arch = "retinanet", .num_classes = 2}, 0);
  auto loaded = net.load_pretrained(path);
  EXPECT_EQ(loaded.size(), 330u);
  EXPECT_EQ(loaded.front().rfind("backbone.", 0), 0u);
  EXPECT_TRUE(torch::equal(net.named_parameters()["backbone.first_conv.0.weight"],
                           backbone->named_parameters()["first_conv.0.weight"]));
}

TEST_F(PretrainedTest, AFileForAnotherModelIsRejected) {
  torch::nn::Linear other(3, 4);
  auto path = save_state(*other, "linear.pth");
  FastestDet net(DetectorConfig{.arch = "fastestdet", .num_classes = 2});
  try {
    net.load_pretrained(path);
    FAIL() << "loaded a foreign state_dict";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("no tensor that fits fastestdet"), std::string::npos);
  }
}

TEST_F(PretrainedTest, BadFilesFailClearly) {
  std::string message;
  EXPECT_EQ(error_of(dir_ / "absent.pth", &message), ErrorCode::kNotFound);

  auto good = save_state(*ShuffleNetV2(), "good.pth");
  std::ifstream in(good, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(
      error_of(write("truncated.pth", {bytes.begin(), bytes.begin() + bytes.size() / 2}), &message),
      ErrorCode::kCorrupt);
  EXPECT_NE(message.find("truncated or damaged"), std::string::npos) << message;

  EXPECT_EQ(error_of(write("text.pth", {'h', 'e', 'l', 'l', 'o'}), &message), ErrorCode::kCorrupt);
  EXPECT_NE(message.find("not a PyTorch .pth"), std::string::npos) << message;

  // Pickle protocol 2 header: Python's pre-1.6 torch.save format.
  EXPECT_EQ(error_of(write("legacy.pth", {'\x80', '\x02', '\x8a', '\x0a'}), &message),
            ErrorCode::kUnsupported);
  EXPECT_NE(message.find("torch.save({k: v.cpu()"), std::string::npos) << message;

  // A pickled tensor, not a dict of them.
  auto tensor_file = write("tensor.pth", torch::jit::pickle_save(c10::IValue(torch::ones({2}))));
  EXPECT_EQ(error_of(tensor_file, &message), ErrorCode::kUnsupported);
  EXPECT_NE(message.find("not a state_dict"), std::string::npos) << message;
}

TEST(PretrainedReal, CudaSavedCocoFileLoadsOnCpu) {
  const auto shared = shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared absent";
  const auto dir = shared / "models" / "fastestdet-coco";
  const auto cuda = read_state_dict(dir / "fastestdet_coco.pth");
  ASSERT_EQ(cuda.size(), 420u);
  for (const auto& [name, t] : cuda) ASSERT_TRUE(t.device().is_cpu()) << name;
  const auto cpu_path = dir / "fastestdet_coco_cpu.pth";
  if (std::filesystem::exists(cpu_path)) {
    const auto cpu = read_state_dict(cpu_path);
    ASSERT_EQ(cpu.size(), cuda.size());
    for (size_t i = 0; i < cpu.size(); ++i) {
      EXPECT_EQ(cpu[i].first, cuda[i].first);
      EXPECT_TRUE(torch::equal(cpu[i].second, cuda[i].second)) << cpu[i].first;
    }
  }
  FastestDet cards(DetectorConfig{.arch = "fastestdet", .num_classes = 6});
  EXPECT_EQ(cards.load_pretrained(dir / "fastestdet_coco.pth").size(), 415u);
}

TEST(PretrainedReal, ImageNetBackboneLoadsIntoBothArchitectures) {
  const auto shared = shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared absent";
  const auto pth =
      shared / "models" / "shufflenetv2-0.5x-imagenet" / "shufflenetv2_0.5x_imagenet_cpu.pth";
  FastestDet fastest(DetectorConfig{.arch = "fastestdet", .num_classes = 6});
  EXPECT_EQ(fastest.load_pretrained(pth).size(), 330u);
  RetinaNet retina(DetectorConfig{.arch = "retinanet", .num_classes = 6}, 0);
  EXPECT_EQ(retina.load_pretrained(pth).size(), 330u);
}

TEST(PretrainedReal, DefaultWeightsOfEachArchitectureLoad) {
  const auto shared = shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared absent";
  for (const char* arch : {"fastestdet", "retinanet"}) {
    const auto pth = default_pretrained_weights(arch, shared / "models");
    auto det = make_detector(DetectorConfig{.arch = arch, .num_classes = 6});
    EXPECT_GE(det->load_pretrained(pth).size(), 330u) << arch;
  }
  EXPECT_TRUE(default_pretrained_weights("retinanet_resnet18", shared / "models").empty());
  EXPECT_THROW(default_pretrained_weights("nope", shared / "models"), Error);
}

}  // namespace
}  // namespace boxloop
