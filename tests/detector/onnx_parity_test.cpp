// Optional (needs ../shared): FastestDet built here and loaded from the COCO .pth gives the same
// output map as OpenCV's DNN module running the published ONNX export, and detect() gives the
// boxes an independent decoding of the ONNX output gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "detector/fastestdet.h"
#include "test_images.h"

namespace boxloop {
namespace {

constexpr int kSize = 352;

struct RefBox {
  float x1, y1, x2, y2, score;
  int cls;
};

// The README's decoding, written out cell by cell, with a plain per-class greedy NMS.
std::vector<RefBox> reference_decode(const cv::Mat& out, float threshold, float nms_iou) {
  const int c = out.size[1], h = out.size[2], w = out.size[3];
  auto at = [&](int ch, int y, int x) { return out.ptr<float>(0, ch)[y * w + x]; };
  auto clip = [](double v) { return static_cast<float>(std::clamp(v, 0.0, double(kSize))); };
  std::vector<RefBox> boxes;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int best = 5;
      for (int ch = 6; ch < c; ++ch) best = at(ch, y, x) > at(best, y, x) ? ch : best;
      const double score = std::pow(at(0, y, x), 0.6) * std::pow(at(best, y, x), 0.4);
      if (score < threshold) continue;
      const double cx = (std::tanh(at(1, y, x)) + x) / w, cy = (std::tanh(at(2, y, x)) + y) / h;
      const double bw = 1 / (1 + std::exp(-at(3, y, x))), bh = 1 / (1 + std::exp(-at(4, y, x)));
      boxes.push_back({clip((cx - bw / 2) * kSize), clip((cy - bh / 2) * kSize),
                       clip((cx + bw / 2) * kSize), clip((cy + bh / 2) * kSize),
                       static_cast<float>(score), best - 5});
    }
  }
  std::stable_sort(boxes.begin(), boxes.end(),
                   [](const RefBox& a, const RefBox& b) { return a.score > b.score; });
  std::vector<RefBox> kept;
  for (const auto& b : boxes) {
    bool suppressed = false;
    for (const auto& k : kept) {
      if (k.cls != b.cls) continue;
      const float iw = std::min(k.x2, b.x2) - std::max(k.x1, b.x1);
      const float ih = std::min(k.y2, b.y2) - std::max(k.y1, b.y1);
      if (iw <= 0 || ih <= 0) continue;
      const float inter = iw * ih;
      const float uni = (k.x2 - k.x1) * (k.y2 - k.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
      suppressed = suppressed || inter / uni > nms_iou;
    }
    if (!suppressed) kept.push_back(b);
  }
  return kept;
}

cv::Mat test_image() {
  const auto dir = testing::shared_dir() / "data" / "cards" / "train";
  cv::Mat img = cv::imread((dir / "IMG_2385.JPG").string(), cv::IMREAD_COLOR);
  if (img.empty()) {
    img = cv::Mat(480, 640, CV_8UC3);
    cv::randu(img, 0, 255);
  }
  cv::Mat resized;
  cv::resize(img, resized, cv::Size(kSize, kSize), 0, 0, cv::INTER_LINEAR);
  return resized;
}

TEST(OnnxParity, CocoWeightsGiveTheOnnxOutput) {
  const auto shared = testing::shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared absent";
  const auto models = shared / "models" / "fastestdet-coco";

  DetectorConfig config{.arch = "fastestdet", .num_classes = 80, .input_size = kSize};
  config.score_threshold = 0.05f;
  FastestDet net(config);
  ASSERT_EQ(net.load_pretrained(models / "fastestdet_coco.pth").size(), 420u);
  net.eval();

  const cv::Mat image = test_image();
  cv::dnn::Net onnx = cv::dnn::readNetFromONNX((models / "fastestdet_coco.onnx").string());
  onnx.setInput(cv::dnn::blobFromImage(image, 1.0 / 255, cv::Size(), cv::Scalar(), false, false));
  cv::Mat expected = onnx.forward().clone();
  ASSERT_EQ(expected.dims, 4);
  ASSERT_EQ(expected.size[1], 85);
  ASSERT_EQ(expected.size[2], 22);

  const auto input = testing::to_tensor(image);
  torch::Tensor map;
  {
    torch::NoGradGuard no_grad;
    map = net.forward(input).contiguous();
  }
  ASSERT_EQ(map.sizes(), (std::vector<int64_t>{1, 85, 22, 22}));
  auto reference = torch::from_blob(expected.ptr<float>(), {1, 85, 22, 22}, torch::kFloat);
  const float max_diff = (map - reference).abs().max().item<float>();
  EXPECT_LT(max_diff, 1e-3f);

  const auto want = reference_decode(expected, config.score_threshold, config.nms_iou);
  const auto got = net.detect(input).at(0);
  ASSERT_FALSE(want.empty()) << "choose an image with detections above the threshold";
  ASSERT_EQ(got.size(), std::min<size_t>(want.size(), size_t(config.max_detections)));
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].class_index, want[i].cls) << i;
    EXPECT_NEAR(got[i].score, want[i].score, 1e-3) << i;
    EXPECT_NEAR(got[i].box.x, want[i].x1, 0.1) << i;
    EXPECT_NEAR(got[i].box.y, want[i].y1, 0.1) << i;
    EXPECT_NEAR(got[i].box.right(), want[i].x2, 0.1) << i;
    EXPECT_NEAR(got[i].box.bottom(), want[i].y2, 0.1) << i;
  }
}

}  // namespace
}  // namespace boxloop
