// Own checkpoints: save -> load gives identical outputs and the sidecar's names and metrics;
// missing, truncated and foreign files fail with the right code and a clear message.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "detector/detector.h"
#include "test_images.h"

namespace boxloop {
namespace {

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("checkpoint"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::pair<ErrorCode, std::string> load_error(const std::filesystem::path& path) {
    try {
      load_checkpoint(path);
    } catch (const Error& e) {
      return {e.code(), e.what()};
    }
    ADD_FAILURE() << "loaded " << path;
    return {ErrorCode::kInternal, ""};
  }
  std::filesystem::path dir_;
};

TEST_F(CheckpointTest, SaveLoadGivesIdenticalOutputs) {
  for (const char* arch : {"fastestdet", "retinanet"}) {
    torch::manual_seed(3);
    DetectorConfig config{.arch = arch, .num_classes = 3, .input_size = 128};
    config.score_threshold = 0.0f;  // keep many detections to compare
    auto det = make_detector(config);
    // Move BN statistics away from their init so buffers are checked too.
    auto batch = testing::rect_batch(2, 128, 3);
    det->train();
    det->loss(batch.images, batch.targets);
    const auto path = dir_ / (std::string(arch) + ".pt");
    save_checkpoint(*det, path, {"a", "b", "c"}, {{"val_map50", 0.5}});

    auto loaded = load_checkpoint(path);
    EXPECT_EQ(loaded.category_names, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(loaded.sidecar["extra"]["val_map50"], 0.5);
    EXPECT_EQ(loaded.detector->config().arch, arch);
    EXPECT_EQ(loaded.detector->config().input_size, 128);
    auto a = det->detect(batch.images), b = loaded.detector->detect(batch.images);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].size(), b[i].size()) << arch;
      ASSERT_FALSE(a[i].empty()) << arch;
      for (size_t j = 0; j < a[i].size(); ++j) {
        EXPECT_EQ(a[i][j].box, b[i][j].box);
        EXPECT_EQ(a[i][j].score, b[i][j].score);
        EXPECT_EQ(a[i][j].class_probs, b[i][j].class_probs);
      }
    }
  }
}

TEST_F(CheckpointTest, MissingFilesAreNotFound) {
  EXPECT_EQ(load_error(dir_ / "nothing.pt").first, ErrorCode::kNotFound);
  auto det = make_detector(DetectorConfig{.arch = "fastestdet", .num_classes = 1});
  save_checkpoint(*det, dir_ / "m.pt", {"x"}, {});
  std::filesystem::remove(dir_ / "m.pt.json");
  auto [code, message] = load_error(dir_ / "m.pt");
  EXPECT_EQ(code, ErrorCode::kNotFound);
  EXPECT_NE(message.find("sidecar"), std::string::npos) << message;
}

TEST_F(CheckpointTest, TruncatedOrForeignFilesAreCorrupt) {
  auto det = make_detector(DetectorConfig{.arch = "fastestdet", .num_classes = 2});
  const auto path = dir_ / "m.pt";
  save_checkpoint(*det, path, {"x", "y"}, {});
  const auto size = std::filesystem::file_size(path);

  std::filesystem::resize_file(path, size / 3);
  auto [code, message] = load_error(path);
  EXPECT_EQ(code, ErrorCode::kCorrupt);
  EXPECT_NE(message.find("truncated or damaged"), std::string::npos) << message;

  std::ofstream(path, std::ios::trunc) << "not a model at all";
  std::tie(code, message) = load_error(path);
  EXPECT_EQ(code, ErrorCode::kCorrupt);
  EXPECT_NE(message.find("not a PyTorch .pth"), std::string::npos) << message;

  // Weights of another architecture under this sidecar.
  auto other = make_detector(DetectorConfig{.arch = "retinanet", .num_classes = 2});
  save_checkpoint(*other, dir_ / "other.pt", {"x", "y"}, {});
  std::filesystem::copy_file(dir_ / "other.pt", path,
                             std::filesystem::copy_options::overwrite_existing);
  std::tie(code, message) = load_error(path);
  EXPECT_EQ(code, ErrorCode::kCorrupt);
  EXPECT_NE(message.find("does not fit its sidecar"), std::string::npos) << message;

  std::ofstream(dir_ / "m.pt.json", std::ios::trunc) << "{ broken";
  EXPECT_EQ(load_error(path).first, ErrorCode::kCorrupt);
}

TEST_F(CheckpointTest, CategoryCountMustMatch) {
  auto det = make_detector(DetectorConfig{.arch = "fastestdet", .num_classes = 2});
  EXPECT_THROW(save_checkpoint(*det, dir_ / "m.pt", {"only one"}, {}), Error);
}

}  // namespace
}  // namespace boxloop
