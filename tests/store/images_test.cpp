// Image records: adding, duplicates, lookups and counts.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace boxloop::testing {
namespace {

TEST_P(StoreTest, AddedImagesComeBackInImportOrder) {
  const Image a = store().add_image("b/second.jpg", "hash_1", 640, 480);
  const Image b = store().add_image("a/first.png", "hash_2", 32, 16);
  EXPECT_LT(a.id, b.id);
  EXPECT_EQ(a.status, ImageStatus::kUnlabeled);
  EXPECT_EQ(a.version, 0);
  EXPECT_FALSE(a.added_at.empty());

  const auto all = store().images();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].path, "b/second.jpg");
  EXPECT_EQ(all[1].path, "a/first.png");
  EXPECT_EQ(all[1].width, 32);
  EXPECT_EQ(all[1].height, 16);
  EXPECT_EQ(store().image(b.id)->sha256, "hash_2");
  EXPECT_EQ(store().image_by_path("a/first.png")->id, b.id);
  EXPECT_EQ(store().image_by_sha256("hash_1")->id, a.id);
  EXPECT_FALSE(store().image(9999));
  EXPECT_FALSE(store().image_by_path("nope.jpg"));
  EXPECT_FALSE(store().image_by_sha256("nope"));
}

TEST_P(StoreTest, DuplicatesByPathOrContentAreRefused) {
  const Image original = store().add_image("cards/a.jpg", "same_hash", 100, 100);
  expect_error(ErrorCode::kAlreadyExists,
               [&] { store().add_image("cards/a.jpg", "other_hash", 100, 100); });
  try {
    store().add_image("copy_of_a.jpg", "same_hash", 100, 100);
    ADD_FAILURE() << "a duplicate by sha256 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kAlreadyExists);
    EXPECT_NE(std::string(e.what()).find("cards/a.jpg"), std::string::npos)
        << "the message should name the image it duplicates: " << e.what();
  }
  ASSERT_EQ(store().images().size(), 1u);
  EXPECT_EQ(store().images()[0].id, original.id);
}

TEST_P(StoreTest, BadImageRecordsAreRefused) {
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_image("", "h", 1, 1); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_image("a.jpg", "", 1, 1); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_image("a.jpg", "h", 0, 10); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_image("a.jpg", "h", 10, -1); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_image("/etc/passwd", "h", 1, 1); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_image("../up.jpg", "h", 1, 1); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_image("a/../../b.jpg", "h", 1, 1); });
  EXPECT_TRUE(store().images().empty());
}

TEST_P(StoreTest, StatusListsAndCountsFollowTheSaves) {
  const Image a = add_image(1), b = add_image(2);
  add_image(3);
  store().save_labels(save_of(a, {box("nine", 1, 1, 5, 5)}));
  LabelSave skip = save_of(b, {});
  skip.status = ImageStatus::kSkipped;
  store().save_labels(skip);

  const ImageCounts counts = store().image_counts();
  EXPECT_EQ(counts.total, 3);
  EXPECT_EQ(counts.labeled, 1);
  EXPECT_EQ(counts.skipped, 1);
  EXPECT_EQ(counts.unlabeled, 1);
  ASSERT_EQ(store().images_with_status(ImageStatus::kLabeled).size(), 1u);
  EXPECT_EQ(store().images_with_status(ImageStatus::kLabeled)[0].id, a.id);
  ASSERT_EQ(store().images_with_status(ImageStatus::kSkipped).size(), 1u);
  EXPECT_EQ(store().images_with_status(ImageStatus::kSkipped)[0].id, b.id);
  EXPECT_EQ(store().images_with_status(ImageStatus::kUnlabeled)[0].path, "img_3.jpg");
}

}  // namespace
}  // namespace boxloop::testing
