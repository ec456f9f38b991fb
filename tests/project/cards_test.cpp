// Optional: the real card photos in ../shared (skipped when absent).
#include <gtest/gtest.h>

#include <map>

#include "project_fixture.h"

namespace boxloop {
namespace {

using testing::ProjectTest;
using CardsTest = ProjectTest;

TEST_F(CardsTest, ImportingTheTrainSetGives296ImagesAnd527Boxes) {
  const std::filesystem::path train =
      std::filesystem::path(BOXLOOP_SHARED_DIR) / "data/cards/train";
  if (!std::filesystem::is_directory(train)) GTEST_SKIP() << train << " is absent";
  ImportOptions options;
  options.link = true;  // no need to copy 296 photos
  const auto results = import_images(*store_, {train}, options);
  int added = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.action, ImportAction::kAdded) << r.source << ": " << r.message;
    added += r.action == ImportAction::kAdded;
  }
  EXPECT_EQ(added, 296);
  const LabelImportResult labels = import_labels(*store_, train, "cards");
  for (const auto& p : labels.problems) ADD_FAILURE() << p.file << ": " << p.message;
  EXPECT_EQ(labels.images_labeled, 296);
  EXPECT_EQ(labels.boxes, 527);
  std::map<std::string, int> per_category;
  for (const auto& count : store_->category_counts()) {
    per_category[count.category.name] = count.boxes;
  }
  EXPECT_EQ(
      per_category,
      (std::map<std::string, int>{
          {"ace", 92}, {"jack", 89}, {"king", 95}, {"nine", 89}, {"queen", 80}, {"ten", 82}}));
}

}  // namespace
}  // namespace boxloop
