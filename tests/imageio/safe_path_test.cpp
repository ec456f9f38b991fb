#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "imageio/image_file.h"
#include "test_util.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(SafeRelativePath, AcceptsPlainRelativePaths) {
  EXPECT_TRUE(is_safe_relative_path("a.jpg"));
  EXPECT_TRUE(is_safe_relative_path("sub/dir/a.jpg"));
  EXPECT_TRUE(is_safe_relative_path("..a.jpg"));  // a name that merely starts with dots
}

TEST(SafeRelativePath, RefusesEscapes) {
  for (const std::string bad : {"", "../x.jpg", "/etc/x.jpg", "a/../../x.jpg", "a/./x.jpg",
                                "..\\x.jpg", "a\\b.jpg", "a//b.jpg", "a/", ".", "..", "x/.."}) {
    EXPECT_FALSE(is_safe_relative_path(bad)) << bad;
  }
  EXPECT_FALSE(is_safe_relative_path(std::string_view("a\0b.jpg", 7)));
}

TEST(ResolveInside, ResolvesFilesInsideAndRefusesEscapes) {
  testing::TempDir tmp;
  const fs::path root = tmp.path() / "images";
  fs::create_directories(root / "sub");
  std::ofstream(root / "sub" / "a.jpg") << "x";
  std::ofstream(tmp.path() / "secret.jpg") << "s";
  fs::create_directory(tmp.path() / "images2");
  std::ofstream(tmp.path() / "images2" / "b.jpg") << "b";

  EXPECT_EQ(resolve_inside(root, "sub/a.jpg"), fs::canonical(root / "sub" / "a.jpg"));

  try {
    resolve_inside(root, "../secret.jpg");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("unsafe path \"../secret.jpg\""));
  }
  EXPECT_THROW(resolve_inside(root, "/etc/passwd"), Error);
  EXPECT_THROW(resolve_inside(root, "sub\\a.jpg"), Error);

  // A symlink pointing out of the folder, and one to a sibling folder sharing the name prefix.
  fs::create_symlink(tmp.path() / "secret.jpg", root / "link.jpg");
  fs::create_directory_symlink(tmp.path() / "images2", root / "sibling");
  for (const char* rel : {"link.jpg", "sibling/b.jpg"}) {
    try {
      resolve_inside(root, rel);
      FAIL() << rel;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kNotFound);
      EXPECT_THAT(e.what(), HasSubstr("resolves outside the folder"));
    }
  }
  try {
    resolve_inside(root, "missing.jpg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST(WriteFileAtomically, WritesReplacesAndLeavesNoTempFiles) {
  testing::TempDir tmp;
  const fs::path file = tmp.path() / "new" / "f.bin";
  write_file_atomically(file, std::string("one\0two", 7));
  EXPECT_EQ(read_file_bytes(file), std::string("one\0two", 7));
  write_file_atomically(file, "replaced");
  EXPECT_EQ(read_file_bytes(file), "replaced");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(file.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(WriteFileAtomically, FailsWithIoErrorInUnwritableFolder) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  testing::TempDir tmp;
  const fs::path ro = tmp.path() / "ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  try {
    write_file_atomically(ro / "f.bin", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_THAT(e.what(), HasSubstr("cannot create temporary file"));
  }
  fs::permissions(ro, fs::perms::owner_all);
}

}  // namespace
}  // namespace boxloop
