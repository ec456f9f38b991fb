// A fresh project (the six card ranks) and a scratch folder for each test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <set>
#include <string>

#include "project/project_ops.h"
#include "store/store.h"
#include "synth/synth.h"

namespace boxloop::testing {

class ProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    root_ = std::filesystem::temp_directory_path() /
            ("boxloop-project-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(root_ / "in");
    store_ = make_project(root_ / "project");
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  static std::unique_ptr<Store> make_project(const std::filesystem::path& dir) {
    std::vector<Category> categories;
    int key = 1;
    for (const auto& name : card_ranks()) {
      categories.push_back(Category{0, name, std::to_string(key++), "#ff0000", 0});
    }
    return Store::create(dir, "test", categories);
  }

  // Files in the project's image folder, hidden ones (temporaries) included.
  std::set<std::string> image_folder_files() const {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(store_->image_dir())) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  // A synthetic dataset (JPEG + VOC XML) under in/NAME.
  std::vector<ImageLabels> synth_into(const std::string& name, int count, std::uint64_t seed) {
    SynthOptions options;
    options.count = count;
    options.seed = seed;
    options.width = 160;
    options.height = 120;
    return write_synth_dataset(root_ / "in" / name, options);
  }

  static void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << bytes;
  }

  static std::string jpeg_of(const cv::Mat& mat) {
    std::vector<uchar> buffer;
    cv::imencode(".jpg", mat, buffer);
    return std::string(buffer.begin(), buffer.end());
  }

  static cv::Mat noise(int width, int height) {
    cv::Mat mat(height, width, CV_8UC3);
    cv::randu(mat, cv::Scalar::all(0), cv::Scalar::all(255));
    return mat;
  }

  std::filesystem::path root_;
  std::unique_ptr<Store> store_;
};

}  // namespace boxloop::testing
