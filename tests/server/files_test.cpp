#include <fstream>

#include "imageio/image_file.h"
#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

class FilesTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    // A file outside the image folder that no route may ever hand out, and a symlink to it.
    secret_ = dir_ / "project" / "secret.png";
    std::ofstream(secret_) << kSecret;
    std::filesystem::create_symlink(secret_, store_->image_dir() / "escape.png");
    start_server();
  }
  static constexpr const char* kSecret = "TOP-SECRET-BYTES";
  std::filesystem::path secret_;
};

TEST_F(FilesTest, ImageBytesByIdAndByPath) {
  auto cli = client();
  const Image image = store_->images().at(0);
  const std::string on_disk = read_file_bytes(store_->image_dir() / image.path);

  auto by_id = cli.Get("/api/images/" + std::to_string(image.id) + "/file");
  ASSERT_TRUE(by_id);
  ASSERT_EQ(by_id->status, 200);
  EXPECT_EQ(by_id->body, on_disk);
  EXPECT_EQ(by_id->get_header_value("Content-Type"), "image/png");

  auto by_path = cli.Get("/api/files/" + image.path);
  ASSERT_TRUE(by_path);
  ASSERT_EQ(by_path->status, 200);
  EXPECT_EQ(by_path->body, on_disk);

  EXPECT_EQ(cli.Get("/api/images/99999/file")->status, 404);
  EXPECT_EQ(cli.Get("/api/images/99999999999999999999999/file")->status, 400);
  EXPECT_EQ(cli.Get("/api/files/no-such-image.png")->status, 404);
}

TEST_F(FilesTest, PathTricksNeverLeaveTheImageFolder) {
  auto cli = client();
  const std::vector<std::string> tricks = {
      "/api/files/../secret.png",
      "/api/files/../boxloop.db",
      "/api/files/%2e%2e/secret.png",
      "/api/files/%2E%2E/boxloop.db",
      "/api/files/..%2Fsecret.png",
      "/api/files/..%2fboxloop.db",
      "/api/files/x/..%2F..%2Fsecret.png",
      "/api/files/..%5Csecret.png",
      "/api/files//etc/passwd",
      "/api/files/%2Fetc%2Fpasswd",
      "/api/files/" + secret_.string(),
      "/api/files/escape.png",
      "/api/files/./escape.png",
      "/api/files/%00secret.png",
  };
  for (const std::string& trick : tricks) {
    auto res = cli.Get(trick);
    ASSERT_TRUE(res) << trick;
    EXPECT_TRUE(res->status == 400 || res->status == 404) << trick << " -> " << res->status;
    EXPECT_EQ(res->body.find(kSecret), std::string::npos) << trick;
    EXPECT_EQ(res->body.find("SQLite format"), std::string::npos) << trick;
    EXPECT_TRUE(json_of(res).contains("error")) << trick;
  }
}

}  // namespace
}  // namespace boxloop::server::testing
