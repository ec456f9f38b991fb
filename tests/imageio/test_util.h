// Small helpers shared by the imageio tests: encoded images made on the fly and a temp folder.
#pragma once

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/temp_dir.h"

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

}  // namespace boxloop::testing
