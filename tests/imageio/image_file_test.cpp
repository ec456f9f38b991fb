#include "imageio/image_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "test_util.h"

namespace boxloop {
namespace {

using testing::encode;
using ::testing::HasSubstr;
using testing::noise_image;

// Runs `fn`, expects a boxloop::Error with `code` and returns its message.
template <typename Fn>
std::string error_of(Fn&& fn, ErrorCode code) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no boxloop::Error thrown";
  return "";
}

TEST(InspectImage, AcceptsJpegAndPngWithSizeAndHash) {
  const std::string jpeg = encode(noise_image(64, 48), ".jpg");
  const ImageInfo info = inspect_image_bytes(jpeg, "a.jpg");
  EXPECT_EQ(info.width, 64);
  EXPECT_EQ(info.height, 48);
  EXPECT_EQ(info.sha256, sha256_hex(jpeg));
  EXPECT_EQ(info.sha256.size(), 64u);

  const ImageInfo png = inspect_image_bytes(encode(noise_image(30, 20), ".png"), "b.png");
  EXPECT_EQ(png.width, 30);
  EXPECT_EQ(png.height, 20);
  const ImageInfo bmp = inspect_image_bytes(encode(noise_image(17, 9), ".bmp"), "c.bmp");
  EXPECT_EQ(bmp.width, 17);
  EXPECT_EQ(bmp.height, 9);
}

TEST(InspectImage, ProgressiveJpegIsComplete) {
  std::vector<uchar> buffer;
  cv::imencode(".jpg", noise_image(80, 60), buffer, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  const ImageInfo info = inspect_image_bytes(std::string(buffer.begin(), buffer.end()), "p.jpg");
  EXPECT_EQ(info.width, 80);
}

TEST(InspectImage, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(InspectImage, RejectsZeroByteFile) {
  const auto message = error_of([] { inspect_image_bytes("", "empty.jpg"); }, ErrorCode::kCorrupt);
  EXPECT_THAT(message, HasSubstr("empty.jpg: empty file"));
}

TEST(InspectImage, RejectsTextRenamedJpg) {
  const auto message =
      error_of([] { inspect_image_bytes("hello, I am text\n", "notes.jpg"); }, ErrorCode::kCorrupt);
  EXPECT_THAT(message, HasSubstr("notes.jpg: not an image"));
}

TEST(InspectImage, RejectsTruncatedJpeg) {
  const std::string jpeg = encode(noise_image(120, 90), ".jpg");
  const std::string half = jpeg.substr(0, jpeg.size() / 2);
  // OpenCV alone would hand back a half-grey picture for this.
  const auto message = error_of([&] { inspect_image_bytes(half, "cut.jpg"); }, ErrorCode::kCorrupt);
  EXPECT_THAT(message, HasSubstr("cut.jpg: truncated JPEG"));
  // Only the last two bytes (the EOI marker) missing is still truncated.
  error_of([&] { inspect_image_bytes(jpeg.substr(0, jpeg.size() - 2), "eoi.jpg"); },
           ErrorCode::kCorrupt);
}

TEST(InspectImage, RejectsTruncatedPng) {
  const std::string png = encode(noise_image(120, 90), ".png");
  const auto message =
      error_of([&] { inspect_image_bytes(png.substr(0, png.size() * 2 / 3), "cut.png"); },
               ErrorCode::kCorrupt);
  EXPECT_THAT(message, HasSubstr("cut.png: truncated PNG (no IEND chunk)"));
}

TEST(InspectImage, RejectsCorruptPixelData) {
  std::string png = encode(noise_image(60, 40), ".png");
  // Scramble the compressed data but keep the chunk structure: the decoder must refuse it.
  const auto idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  for (std::size_t i = idat + 4; i < idat + 40; ++i) png[i] = static_cast<char>(0x5A);
  const auto message = error_of([&] { inspect_image_bytes(png, "bad.png"); }, ErrorCode::kCorrupt);
  EXPECT_THAT(message, HasSubstr("bad.png: corrupt PNG"));
}

// A PNG whose header claims 20000x20000 (a decompression bomb): refused from the header alone.
TEST(InspectImage, RejectsPngBombFromHeader) {
  std::string png = encode(noise_image(8, 8), ".png");
  auto put_be32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  };
  put_be32(16, 20000);
  put_be32(20, 20000);
  const auto message =
      error_of([&] { inspect_image_bytes(png, "bomb.png"); }, ErrorCode::kTooLarge);
  EXPECT_THAT(message, HasSubstr("bomb.png: 20000x20000 is 400.0 MP, over the limit of 50.0 MP"));
}

TEST(InspectImage, RejectsJpegOverConfiguredLimit) {
  const std::string jpeg = encode(noise_image(200, 100), ".jpg");
  ImageLimits limits;
  limits.max_pixels = 10'000;
  const auto message =
      error_of([&] { inspect_image_bytes(jpeg, "big.jpg", limits); }, ErrorCode::kTooLarge);
  EXPECT_THAT(message, HasSubstr("200x100"));
  EXPECT_THAT(message, HasSubstr("over the limit of 0.0 MP (10000 pixels)"));
  limits.max_pixels = 20'000;
  EXPECT_EQ(inspect_image_bytes(jpeg, "big.jpg", limits).width, 200);
}

TEST(InspectImage, RejectsFileOverByteLimit) {
  ImageLimits limits;
  limits.max_file_bytes = 100;
  const auto message =
      error_of([&] { inspect_image_bytes(encode(noise_image(50, 50), ".png"), "x.png", limits); },
               ErrorCode::kTooLarge);
  EXPECT_THAT(message, HasSubstr("over the limit of 100 bytes"));
}

TEST(ReadImage, ReadsBgrAndReportsMissingFile) {
  testing::TempDir dir;
  const cv::Mat gray(10, 12, CV_8UC1, cv::Scalar(99));
  const std::string png = encode(gray, ".png");
  write_file_atomically(dir.path() / "g.png", png);
  const cv::Mat bgr = read_image_bgr(dir.path() / "g.png");
  EXPECT_EQ(bgr.type(), CV_8UC3);
  EXPECT_EQ(bgr.cols, 12);
  EXPECT_EQ(bgr.at<cv::Vec3b>(5, 5), cv::Vec3b(99, 99, 99));
  EXPECT_EQ(inspect_image_file(dir.path() / "g.png").sha256, sha256_hex(png));
  const auto message =
      error_of([&] { read_image_bgr(dir.path() / "none.png"); }, ErrorCode::kNotFound);
  EXPECT_THAT(message, HasSubstr("none.png: no such file"));
}

TEST(ImageExtension, KnowsImageSuffixesCaseInsensitive) {
  EXPECT_TRUE(has_image_extension("a/IMG_1.JPG"));
  EXPECT_TRUE(has_image_extension("b.jpeg"));
  EXPECT_TRUE(has_image_extension("c.Png"));
  EXPECT_TRUE(has_image_extension("d.tiff"));
  EXPECT_FALSE(has_image_extension("e.xml"));
  EXPECT_FALSE(has_image_extension("jpg"));
}

}  // namespace
}  // namespace boxloop
