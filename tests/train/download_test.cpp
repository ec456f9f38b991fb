// The download path against a local HTTP server on loopback.
#include "train/download.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "common/synth_project.h"
#include "core/error.h"
#include "imageio/image_file.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;

class Download : public ::testing::Test {
 protected:
  void SetUp() override {
    body_.assign(300000, 'w');
    body_.append("eights");
    server_.Get("/w.pth", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(body_, "application/octet-stream");
    });
    server_.Get("/moved", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/w.pth");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // This httplib (0.11) has no wait_until_ready(): poll is_running().
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  bool folder_is_empty() const { return fs::is_empty(dir_.path()); }

  testing::TempDir dir_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string body_;
};

TEST_F(Download, MatchingChecksumKeepsTheFile) {
  const fs::path target = dir_.path() / "w.pth";
  const auto r = download_file(url("/moved"), target, sha256_hex(body_));
  EXPECT_EQ(read_file_bytes(target), body_);
  EXPECT_EQ(r.sha256, sha256_hex(body_));
  EXPECT_EQ(r.bytes, static_cast<std::int64_t>(body_.size()));
}

TEST_F(Download, ChecksumMismatchLeavesNothing) {
  try {
    download_file(url("/w.pth"), dir_.path() / "w.pth", std::string(64, 'a'));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("SHA-256"), std::string::npos);
  }
  EXPECT_TRUE(folder_is_empty());
}

TEST_F(Download, MissingFileIsNotFound) {
  try {
    download_file(url("/nothing.pth"), dir_.path() / "w.pth");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("404"), std::string::npos);
  }
  EXPECT_TRUE(folder_is_empty());
}

TEST_F(Download, BadUrlsAndChecksumsAreRejectedUpFront) {
  EXPECT_THROW(download_file("ftp://x/y", dir_.path() / "w.pth"), Error);
  EXPECT_THROW(download_file(url("/w.pth"), dir_.path() / "w.pth", "abc"), Error);
  EXPECT_TRUE(folder_is_empty());
  EXPECT_TRUE(known_weights("fastestdet-coco").has_value());
}

TEST_F(Download, ClosedPortIsAnIoError) {
  server_.stop();
  try {
    download_file(url("/w.pth"), dir_.path() / "w.pth");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

}  // namespace
}  // namespace boxloop
