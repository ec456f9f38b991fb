// Small helpers shared by the imageio tests: encoded images made on the fly and a temp folder.
#pragma once

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <vector>

namespace boxloop::testing {

inline std::string encode(const cv::Mat& mat, const std::string& ext) {
  std::vector<uchar> buffer;
  cv::imencode(ext, mat, buffer);
  return std::string(buffer.begin(), buffer.end());
}

// Noise so the encoded file is not trivially small and a truncation really cuts pixel data.
inline cv::Mat noise_image(int width, int height) {
  cv::Mat mat(height, width, CV_8UC3);
  cv::randu(mat, cv::Scalar::all(0), cv::Scalar::all(255));
  return mat;
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("boxloop-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace boxloop::testing
