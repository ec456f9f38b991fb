#include "test_images.h"

#include <opencv2/imgproc.hpp>
#include <random>

namespace boxloop::testing {

torch::Tensor to_tensor(const cv::Mat& bgr) {
  cv::Mat f;
  bgr.convertTo(f, CV_32FC3, 1.0 / 255);
  return torch::from_blob(f.data, {1, f.rows, f.cols, 3}, torch::kFloat)
      .permute({0, 3, 1, 2})
      .contiguous();
}

RectBatch rect_batch(int n, int size, int num_classes, unsigned seed) {
  static const cv::Scalar kColours[] = {
      {40, 40, 220}, {40, 200, 40}, {220, 80, 40}, {30, 200, 220}};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> side(size / 5, size / 2);
  RectBatch batch;
  std::vector<torch::Tensor> images;
  for (int i = 0; i < n; ++i) {
    cv::Mat img(size, size, CV_8UC3);
    cv::randn(img, cv::Scalar(120, 120, 120), cv::Scalar(20, 20, 20));
    DetectionTarget target;
    const int count = 1 + static_cast<int>(rng() % 2);
    for (int r = 0; r < count; ++r) {
      const int w = side(rng), h = side(rng);
      const int x = static_cast<int>(rng() % static_cast<unsigned>(size - w));
      const int y = static_cast<int>(rng() % static_cast<unsigned>(size - h));
      const int label = static_cast<int>(rng() % static_cast<unsigned>(num_classes));
      cv::rectangle(img, cv::Rect(x, y, w, h), kColours[label % 4], cv::FILLED);
      target.boxes.push_back(Box{double(x), double(y), double(w), double(h)});
      target.labels.push_back(label);
    }
    images.push_back(to_tensor(img));
    batch.targets.push_back(std::move(target));
  }
  batch.images = torch::cat(images, 0);
  return batch;
}

std::filesystem::path shared_dir() {
  std::filesystem::path dir = BOXLOOP_SHARED_DIR;
  std::error_code ec;
  return std::filesystem::is_directory(dir / "models", ec) ? dir : std::filesystem::path();
}

std::filesystem::path make_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("boxloop_detector_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace boxloop::testing
