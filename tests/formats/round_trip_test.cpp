#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "formats/formats.h"
#include "formats_test_util.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kCategories = {"nine", "ten", "jack", "queen", "king", "ace"};
// VOC and CSV store corners: w = xmax - xmin of fractional coordinates may differ in the last bit.
constexpr double kCornerTolerance = 1e-12;

// Labels with integer and fractional boxes, boxes touching the edges, a name in a subfolder, a
// name that needs CSV quoting and an image with no boxes at all.
std::vector<ImageLabels> sample_labels() {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<ImageLabels> images;
  for (int i = 0; i < 5; ++i) {
    ImageLabels image{"img_" + std::to_string(i) + ".jpg", 300 + 10 * i, 200 + 7 * i, {}};
    for (int b = 0; b < 3; ++b) {
      const double w = 10 + unit(rng) * 80, h = 10 + unit(rng) * 60;
      const double x = unit(rng) * (image.width - w), y = unit(rng) * (image.height - h);
      image.boxes.push_back({kCategories[(i + b) % 6], Box{x, y, w, h}});
    }
    images.push_back(std::move(image));
  }
  images[1].boxes.push_back({"ace", Box{0, 0, 50, 40}});
  images[1].boxes.push_back({"nine", Box{250, 167, 60, 40}});  // to the bottom-right corner
  images[2].boxes[0].box = Box{12, 30, 100, 50};
  images[3].file = "sub/dir/img_3.png";
  images[4].file = "with,comma \"and quote\".jpg";
  images.push_back(ImageLabels{"empty.jpg", 64, 48, {}});
  return images;
}

void expect_same_boxes(const std::vector<ImageLabels>& expected,
                       const std::vector<ImageLabels>& actual, double relative_tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& e = expected[i];
    const auto& a = actual[i];
    EXPECT_EQ(a.file, e.file);
    EXPECT_EQ(a.width, e.width);
    EXPECT_EQ(a.height, e.height);
    ASSERT_EQ(a.boxes.size(), e.boxes.size()) << e.file;
    for (std::size_t b = 0; b < e.boxes.size(); ++b) {
      EXPECT_EQ(a.boxes[b].category, e.boxes[b].category);
      if (relative_tolerance == 0) {
        EXPECT_EQ(a.boxes[b].box, e.boxes[b].box) << e.file << " box " << b;
      } else {
        const Box& x = e.boxes[b].box;
        const Box& y = a.boxes[b].box;
        const double scale_x = e.width * relative_tolerance,
                     scale_y = e.height * relative_tolerance;
        EXPECT_NEAR(y.x, x.x, scale_x);
        EXPECT_NEAR(y.y, x.y, scale_y);
        EXPECT_NEAR(y.w, x.w, scale_x);
        EXPECT_NEAR(y.h, x.h, scale_y);
      }
    }
  }
}

// Formats that cannot hold an image without boxes lose it; the comparison leaves it out too.
std::vector<ImageLabels> with_boxes(std::vector<ImageLabels> images) {
  std::erase_if(images, [](const ImageLabels& im) { return im.boxes.empty(); });
  return images;
}

TEST(RoundTrip, CocoGivesTheSameBoxesExactly) {
  testing::TempDir tmp;
  const auto images = sample_labels();
  write_labels(LabelFormat::kCoco, images, kCategories, tmp.path() / "labels.json");
  const ReadResult first = read_labels(tmp.path() / "labels.json", kCategories);
  EXPECT_TRUE(first.problems.empty());
  expect_same_boxes(images, first.images, 0);
  // import -> export -> import
  write_labels(LabelFormat::kCoco, first.images, kCategories, tmp.path() / "again.json");
  expect_same_boxes(images, read_coco(tmp.path() / "again.json").images, 0);
}

TEST(RoundTrip, VocGivesTheSameBoxesExactly) {
  testing::TempDir tmp;
  auto images = sample_labels();
  write_labels(LabelFormat::kVoc, images, kCategories, tmp.path() / "voc");
  EXPECT_TRUE(fs::exists(tmp.path() / "voc" / "sub" / "dir" / "img_3.xml"));
  ReadResult first = read_labels(tmp.path() / "voc", kCategories);
  EXPECT_TRUE(first.problems.empty());
  // The folder is listed in name order.
  std::sort(images.begin(), images.end(), [](const ImageLabels& a, const ImageLabels& b) {
    return fs::path(a.file).replace_extension(".xml") < fs::path(b.file).replace_extension(".xml");
  });
  expect_same_boxes(images, first.images, kCornerTolerance);
  write_labels(LabelFormat::kVoc, first.images, kCategories, tmp.path() / "voc2");
  expect_same_boxes(images, read_voc_dir(tmp.path() / "voc2").images, kCornerTolerance);
}

TEST(RoundTrip, CsvGivesTheSameBoxesExactly) {
  testing::TempDir tmp;
  const auto images = with_boxes(sample_labels());
  write_labels(LabelFormat::kCsv, images, kCategories, tmp.path() / "labels.csv");
  const ReadResult first = read_labels(tmp.path() / "labels.csv", kCategories);
  EXPECT_TRUE(first.problems.empty());
  expect_same_boxes(images, first.images, kCornerTolerance);
  write_labels(LabelFormat::kCsv, first.images, kCategories, tmp.path() / "again.csv");
  expect_same_boxes(images, read_csv(tmp.path() / "again.csv").images, kCornerTolerance);
}

TEST(RoundTrip, YoloGivesTheSameBoxesWithinOneMillionth) {
  testing::TempDir tmp;
  const auto images = sample_labels();
  write_labels(LabelFormat::kYolo, images, kCategories, tmp.path() / "yolo");
  const ReadResult first = read_yolo_dir(tmp.path() / "yolo", images, kCategories);
  EXPECT_TRUE(first.problems.empty());
  expect_same_boxes(images, first.images, 1e-6);
  // Boxes touching the right and bottom edges stay inside the image after the round trip.
  EXPECT_LE(first.images[1].boxes.back().box.right(), 310);
  write_labels(LabelFormat::kYolo, first.images, kCategories, tmp.path() / "yolo2");
  expect_same_boxes(images, read_yolo_dir(tmp.path() / "yolo2", images).images, 1e-6);
  EXPECT_THROW(read_labels(tmp.path() / "yolo"), Error);  // needs sizes: refused, not guessed
}

TEST(RoundTrip, YoloTextIsNormalisedCentreFormat) {
  const ImageLabels image{"a.jpg", 200, 100, {{"ten", Box{50, 25, 100, 50}}}};
  EXPECT_EQ(yolo_txt(image, kCategories), "1 0.5 0.5 0.5 0.5\n");
}

TEST(RoundTrip, WritersRefuseCategoriesOutsideTheList) {
  testing::TempDir tmp;
  const std::vector<ImageLabels> images = {{"a.jpg", 10, 10, {{"joker", Box{1, 1, 2, 2}}}}};
  EXPECT_THROW(write_labels(LabelFormat::kCoco, images, kCategories, tmp.path() / "a.json"), Error);
  EXPECT_THROW(write_labels(LabelFormat::kYolo, images, kCategories, tmp.path() / "y"), Error);
}

TEST(RoundTrip, TwoImagesWithOneStemAreRefusedForPerImageFormats) {
  testing::TempDir tmp;
  const std::vector<ImageLabels> images = {{"a.jpg", 10, 10, {}}, {"a.png", 10, 10, {}}};
  try {
    write_labels(LabelFormat::kVoc, images, kCategories, tmp.path() / "voc");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("two images would be written to a.xml"));
  }
}

TEST(LabelFormatNames, ParseAndPrint) {
  for (auto format :
       {LabelFormat::kCoco, LabelFormat::kVoc, LabelFormat::kYolo, LabelFormat::kCsv}) {
    EXPECT_EQ(label_format_from_string(to_string(format)), format);
  }
  EXPECT_THROW(label_format_from_string("xlsx"), Error);
}

}  // namespace
}  // namespace boxloop
