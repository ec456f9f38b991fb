#include <gmock/gmock.h>
#include <sys/stat.h>

#include "core/error.h"
#include "imageio/image_file.h"
#include "project/stored_names.h"
#include "project_fixture.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProjectTest;

using ImportImagesTest = ProjectTest;

std::map<std::string, ImportFileResult> by_file_name(const std::vector<ImportFileResult>& results) {
  std::map<std::string, ImportFileResult> map;
  for (const auto& r : results) map[fs::path(r.source).filename().string()] = r;
  return map;
}

TEST_F(ImportImagesTest, ImportsAFolderRecursivelyAndRejectsEveryBadFileWithItsReason) {
  const fs::path in = root_ / "in" / "mixed";
  const std::string good = jpeg_of(noise(64, 48));
  write_bytes(in / "good.jpg", good);
  write_bytes(in / "sub" / "nested.png", [] {
    std::vector<uchar> b;
    cv::imencode(".png", cv::Mat(20, 30, CV_8UC3, cv::Scalar(1, 2, 3)), b);
    return std::string(b.begin(), b.end());
  }());
  write_bytes(in / "copy_of_good.jpg", good);
  write_bytes(in / "text.jpg", "just some text\n");
  write_bytes(in / "empty.jpg", "");
  const std::string other = jpeg_of(noise(80, 60));
  write_bytes(in / "truncated.jpg", other.substr(0, other.size() / 2));
  write_bytes(in / "big.jpg", jpeg_of(noise(300, 200)));
  write_bytes(in / "notes.txt", "ignored: not an image extension");

  ImportOptions options;
  options.limits.max_pixels = 50'000;  // big.jpg is 60,000 pixels
  std::vector<double> progress;
  options.progress = [&](double f, const std::string&) { progress.push_back(f); };
  const auto results = import_images(*store_, {in}, options);

  ASSERT_EQ(results.size(), 7u);  // notes.txt is not picked from a folder
  auto r = by_file_name(results);
  EXPECT_EQ(r["nested.png"].action, ImportAction::kAdded);
  // copy_of_good.jpg sorts before good.jpg, so it is the one added and good.jpg the duplicate.
  EXPECT_EQ(r["copy_of_good.jpg"].action, ImportAction::kAdded);
  EXPECT_EQ(r["good.jpg"].action, ImportAction::kDuplicate);
  EXPECT_EQ(r["good.jpg"].message, "same content as copy_of_good.jpg");
  EXPECT_EQ(r["text.jpg"].action, ImportAction::kRejected);
  EXPECT_THAT(r["text.jpg"].message, HasSubstr("not an image"));
  EXPECT_EQ(r["empty.jpg"].action, ImportAction::kRejected);
  EXPECT_THAT(r["empty.jpg"].message, HasSubstr("empty file (0 bytes)"));
  EXPECT_EQ(r["truncated.jpg"].action, ImportAction::kRejected);
  EXPECT_THAT(r["truncated.jpg"].message, HasSubstr("truncated JPEG"));
  EXPECT_EQ(r["big.jpg"].action, ImportAction::kRejected);
  EXPECT_THAT(r["big.jpg"].message, HasSubstr("300x200 is 0.1 MP, over the limit of 0.1 MP"));
  EXPECT_EQ(progress.size(), 7u);
  EXPECT_EQ(image_folder_files(), (std::set<std::string>{"copy_of_good.jpg", "nested.png"}));
  EXPECT_EQ(store_->image_counts().total, 2);
  EXPECT_DOUBLE_EQ(progress.back(), 1.0);
}

TEST_F(ImportImagesTest, DuplicatesByContentAreReportedAndNothingIsLeftForRejects) {
  const fs::path in = root_ / "in";
  const std::string a = jpeg_of(noise(40, 30));
  write_bytes(in / "a.jpg", a);
  write_bytes(in / "b.jpg", a);
  write_bytes(in / "bad.png", "\x89PNG\r\n\x1a\n broken");
  const auto results = import_images(*store_, {in / "a.jpg", in / "b.jpg", in / "bad.png"});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].action, ImportAction::kAdded);
  ASSERT_TRUE(results[0].image);
  EXPECT_EQ(results[0].image->path, "a.jpg");
  EXPECT_EQ(results[0].image->width, 40);
  EXPECT_EQ(results[0].image->sha256, sha256_hex(a));
  EXPECT_EQ(results[1].action, ImportAction::kDuplicate);
  EXPECT_EQ(results[1].message, "same content as a.jpg");
  EXPECT_EQ(results[1].image->id, results[0].image->id);
  EXPECT_EQ(results[2].action, ImportAction::kRejected);
  EXPECT_THAT(results[2].message, HasSubstr("corrupt PNG"));
  // Only the one added file is in the folder and in the store; no temporaries are left.
  EXPECT_EQ(image_folder_files(), std::set<std::string>{"a.jpg"});
  EXPECT_EQ(store_->images().size(), 1u);
  // Importing the same file again is a duplicate, not a second copy.
  const auto again = import_images(*store_, {in / "a.jpg"});
  EXPECT_EQ(again[0].action, ImportAction::kDuplicate);
  EXPECT_EQ(image_folder_files().size(), 1u);
}

TEST_F(ImportImagesTest, MissingInputsAreRejectedNotThrown) {
  const auto results = import_images(*store_, {root_ / "nothing-here", root_ / "in"});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].action, ImportAction::kRejected);
  EXPECT_EQ(results[0].message, "no such file or folder");
}

TEST_F(ImportImagesTest, TakenNamesGetASuffixAndStemsStayUnique) {
  write_bytes(root_ / "in" / "x" / "card.jpg", jpeg_of(noise(20, 20)));
  write_bytes(root_ / "in" / "y" / "card.jpg", jpeg_of(noise(21, 20)));
  write_bytes(root_ / "in" / "y" / "CARD.png", [] {
    std::vector<uchar> b;
    cv::imencode(".png", cv::Mat(9, 9, CV_8UC3, cv::Scalar(5, 5, 5)), b);
    return std::string(b.begin(), b.end());
  }());
  const auto results = import_images(*store_, {root_ / "in" / "x", root_ / "in" / "y"});
  std::set<std::string> stored;
  for (const auto& r : results) {
    ASSERT_EQ(r.action, ImportAction::kAdded) << r.message;
    stored.insert(r.image->path);
  }
  EXPECT_EQ(stored, (std::set<std::string>{"card.jpg", "CARD_2.png", "card_3.jpg"}));
  EXPECT_EQ(image_folder_files(), stored);
}

TEST_F(ImportImagesTest, UploadNamesThatTryToEscapeAreStoredSafelyInside) {
  int width = 20;
  for (const std::string name : {"../x.jpg", "/etc/x.jpg", "a/../../x.jpg", "..\\..\\x.jpg",
                                 "C:\\Users\\me\\x.jpg", "..", ""}) {
    const ImportFileResult r = import_image_bytes(*store_, name, jpeg_of(noise(width++, 20)));
    ASSERT_EQ(r.action, ImportAction::kAdded) << name << ": " << r.message;
    EXPECT_TRUE(is_safe_relative_path(r.image->path)) << r.image->path;
    EXPECT_EQ(r.image->path.find('/'), std::string::npos);
    // The stored file is inside the image folder.
    EXPECT_NO_THROW(resolve_inside(store_->image_dir(), r.image->path));
  }
  EXPECT_FALSE(fs::exists(root_ / "x.jpg"));
  EXPECT_FALSE(fs::exists("/etc/x.jpg"));
  EXPECT_EQ(store_->images().size(), 7u);
  EXPECT_EQ(store_->images()[0].path, "x.jpg");
  EXPECT_EQ(store_->images()[1].path, "x_2.jpg");

  const ImportFileResult bad = import_image_bytes(*store_, "../evil.jpg", "GIF89a");
  EXPECT_EQ(bad.action, ImportAction::kRejected);
  EXPECT_THAT(bad.message, HasSubstr("not an image"));
  EXPECT_EQ(store_->images().size(), 7u);
}

TEST_F(ImportImagesTest, StoredNamesTakeTheExtensionOfTheDecodedFormat) {
  std::vector<uchar> png;
  cv::imencode(".png", cv::Mat(9, 9, CV_8UC3, cv::Scalar(5, 5, 5)), png);
  write_bytes(root_ / "in" / "photo.jpg", std::string(png.begin(), png.end()));
  write_bytes(root_ / "in" / "scan.JPEG", jpeg_of(noise(12, 12)));
  const auto results = import_images(*store_, {root_ / "in"});
  const auto by_name = by_file_name(results);
  ASSERT_EQ(by_name.at("photo.jpg").action, ImportAction::kAdded);
  EXPECT_EQ(by_name.at("photo.jpg").image->path, "photo.png");
  EXPECT_EQ(by_name.at("scan.JPEG").image->path, "scan.JPEG");  // already names its format

  // A JPEG/HTML polyglot uploaded as a page is stored (and so served) as what it decodes as.
  const ImportFileResult poly = import_image_bytes(*store_, "poly.html", jpeg_of(noise(13, 12)));
  ASSERT_EQ(poly.action, ImportAction::kAdded) << poly.message;
  EXPECT_EQ(poly.image->path, "poly.jpg");
  EXPECT_TRUE(fs::exists(store_->image_dir() / "poly.jpg"));
  EXPECT_FALSE(fs::exists(store_->image_dir() / "poly.html"));
}

TEST_F(ImportImagesTest, LinkModeHardLinksTheOriginal) {
  const fs::path source = root_ / "in" / "linked.jpg";
  write_bytes(source, jpeg_of(noise(30, 30)));
  ImportOptions options;
  options.link = true;
  const auto results = import_images(*store_, {source}, options);
  ASSERT_EQ(results[0].action, ImportAction::kAdded);
  EXPECT_EQ(fs::hard_link_count(source), 2u);
  EXPECT_TRUE(fs::equivalent(source, store_->image_dir() / "linked.jpg"));
}

TEST(SafeFileName, MakesAnyNameASingleSafeComponent) {
  EXPECT_EQ(safe_file_name("IMG 1(2).JPG"), "IMG_1_2_.JPG");
  EXPECT_EQ(safe_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(safe_file_name(".hidden.jpg"), "hidden.jpg");
  EXPECT_EQ(safe_file_name(".jpg"), "jpg");
  EXPECT_EQ(safe_file_name(""), "image");
  EXPECT_EQ(safe_file_name("x/"), "image");
  EXPECT_LE(safe_file_name(std::string(500, 'a') + ".jpg").size(), 150u);
}

}  // namespace
}  // namespace boxloop
