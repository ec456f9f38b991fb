// A tiny project of synthetic card images for the loop's tests, and a way to label its images.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace boxloop::loop::testing {

// `count` unlabeled 160x120 images of cards of `categories`, with their true boxes remembered.
class LoopProject {
 public:
  LoopProject(const std::filesystem::path& dir, const std::vector<std::string>& categories,
              int count);
  Store& store() { return *store_; }
  // Saves the true boxes of the n-th image (import order) as a labeler would.
  LabelEvent label(int n);
  // Training options small enough for a test: 64 px, from scratch, a few steps.
  static Json tiny_training();

 private:
  std::unique_ptr<Store> store_;
  std::vector<std::vector<NamedBox>> truths_;
};

}  // namespace boxloop::loop::testing
