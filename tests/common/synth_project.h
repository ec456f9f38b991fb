// A small project on disk with synthetic labeled card images, for the tests of training, scoring
// and the loop.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "store/store.h"

namespace boxloop::testing {

// Two card categories: enough for a detector to tell classes apart, small enough to train fast.
inline const std::vector<std::string> kTwoCategories{"nine", "king"};

// Creates a project in `dir` with `categories`, `labeled` synthetic images (cards of those
// categories, labeled by "test") and `unlabeled` more images without labels.
std::unique_ptr<Store> make_synth_project(const std::filesystem::path& dir,
                                          const std::vector<std::string>& categories, int labeled,
                                          int unlabeled = 0, int seed = 7);

}  // namespace boxloop::testing
