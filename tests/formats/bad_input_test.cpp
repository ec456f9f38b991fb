#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "formats/formats.h"
#include "formats_test_util.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::voc_one_box;
using testing::write_text;

const std::vector<std::string> kCategories = {"nine", "ten", "jack", "queen", "king", "ace"};

// Problems of a VOC folder, as "file: message" lines, after reading it.
std::vector<std::string> voc_problems(const fs::path& dir, int expected_images) {
  const ReadResult result = read_voc_dir(dir, kCategories);
  EXPECT_EQ(static_cast<int>(result.images.size()), expected_images);
  std::vector<std::string> lines;
  for (const auto& p : result.problems) lines.push_back(p.file + ": " + p.message);
  return lines;
}

TEST(VocBadInput, EachBadFileIsReportedAndTheRestLoads) {
  testing::TempDir tmp;
  const fs::path d = tmp.path();
  write_text(d / "a_good.xml", voc_one_box("good.jpg", "ace", "10", "10", "50", "60"));
  write_text(d / "b_broken.xml", "<annotation><filename>x.jpg</filename><size>");
  write_text(d / "c_unknown.xml", voc_one_box("c.jpg", "joker", "10", "10", "50", "60"));
  write_text(d / "d_outside.xml", voc_one_box("d.jpg", "ace", "10", "10", "150", "60"));
  write_text(d / "e_negative.xml", voc_one_box("e.jpg", "ace", "50", "10", "10", "60"));
  write_text(d / "f_zero.xml", voc_one_box("f.jpg", "ace", "10", "10", "10", "60"));
  write_text(d / "g_escape.xml", voc_one_box("../../etc/g.jpg", "ace", "1", "1", "5", "5"));
  write_text(d / "h_absolute.xml", voc_one_box("/etc/h.jpg", "ace", "1", "1", "5", "5"));
  write_text(d / "i_backslash.xml", voc_one_box("C:\\cards\\i.jpg", "ace", "1", "1", "5", "5"));
  write_text(d / "j_nobox.xml",
             "<annotation><filename>j.jpg</filename><size><width>10</width><height>10</height>"
             "</size><object><name>ace</name></object></annotation>");
  write_text(d / "k_nosize.xml", "<annotation><filename>k.jpg</filename></annotation>");
  write_text(d / "l_text.xml", voc_one_box("l.jpg", "ace", "ten", "1", "5", "5"));
  write_text(d / "m_notvoc.xml", "<svg></svg>");
  write_text(d / "n_dotdot.xml", voc_one_box("a/../../n.jpg", "ace", "1", "1", "5", "5"));

  const auto problems = voc_problems(d, 1);
  ASSERT_EQ(problems.size(), 13u);
  EXPECT_THAT(problems[0], HasSubstr("b_broken.xml: broken XML"));
  EXPECT_THAT(problems[1],
              HasSubstr("c_unknown.xml: unknown category 'joker' (the project has: nine,ten,"));
  EXPECT_THAT(problems[2], HasSubstr("d_outside.xml: box 'ace' [x 10, y 10, w 140, h 50] is "
                                     "outside the 100x80 image"));
  EXPECT_THAT(problems[3], HasSubstr("e_negative.xml: box 'ace' [x 50, y 10, w -40, h 50] has a "
                                     "negative size"));
  EXPECT_THAT(problems[4],
              HasSubstr("f_zero.xml: box 'ace' [x 10, y 10, w 0, h 50] has zero size"));
  EXPECT_THAT(problems[5], HasSubstr("g_escape.xml: unsafe image file name \"../../etc/g.jpg\""));
  EXPECT_THAT(problems[6], HasSubstr("h_absolute.xml: unsafe image file name \"/etc/h.jpg\""));
  EXPECT_THAT(problems[7], HasSubstr("i_backslash.xml: unsafe image file name"));
  EXPECT_THAT(problems[8], HasSubstr("j_nobox.xml: missing <bndbox> in <object> 1"));
  EXPECT_THAT(problems[9], HasSubstr("k_nosize.xml: missing <size> in <annotation>"));
  EXPECT_THAT(problems[10], HasSubstr("l_text.xml: <xmin> in <object> 1 is not a number: \"ten\""));
  EXPECT_THAT(problems[11], HasSubstr("m_notvoc.xml: not Pascal VOC"));
  EXPECT_THAT(problems[12], HasSubstr("n_dotdot.xml: unsafe image file name \"a/../../n.jpg\""));
}

TEST(VocBadInput, UnknownCategoryIsFineWithoutACategoryList) {
  testing::TempDir tmp;
  write_text(tmp.path() / "a.xml", voc_one_box("a.jpg", "joker", "1", "1", "5", "5"));
  EXPECT_EQ(read_voc_file(tmp.path() / "a.xml").boxes.at(0).category, "joker");
  try {
    read_voc_file(tmp.path() / "a.xml", kCategories);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("a.xml: unknown category 'joker'"));
  }
}

// The card photos' XML name IMG_1.JPG; a copy renamed to .jpg must still find its image.
TEST(VocBadInput, FilenameFallsBackToTheImageWithTheXmlStem) {
  testing::TempDir tmp;
  write_text(tmp.path() / "IMG_1.xml", voc_one_box("IMG_1.JPG", "ace", "1", "1", "5", "5"));
  write_text(tmp.path() / "IMG_1.jpg", "not read here");
  EXPECT_EQ(read_voc_file(tmp.path() / "IMG_1.xml").file, "IMG_1.jpg");
  // With no image beside it, the name is kept as written.
  write_text(tmp.path() / "other" / "IMG_2.xml",
             voc_one_box("IMG_2.JPG", "ace", "1", "1", "5", "5"));
  EXPECT_EQ(read_voc_file(tmp.path() / "other" / "IMG_2.xml").file, "IMG_2.JPG");
}

TEST(CocoBadInput, BadEntriesAreReportedPerImage) {
  testing::TempDir tmp;
  write_text(tmp.path() / "c.json", R"({
    "images": [
      {"id": 1, "file_name": "good.jpg", "width": 100, "height": 80},
      {"id": 2, "file_name": "outside.jpg", "width": 100, "height": 80},
      {"id": 3, "file_name": "unknown.jpg", "width": 100, "height": 80},
      {"id": 4, "file_name": "../escape.jpg", "width": 100, "height": 80},
      {"id": 5, "file_name": "negative.jpg", "width": 100, "height": 80},
      {"id": 6, "file_name": "nosize.jpg"}
    ],
    "annotations": [
      {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 30, 40]},
      {"id": 2, "image_id": 2, "category_id": 1, "bbox": [90, 2, 30, 40]},
      {"id": 3, "image_id": 3, "category_id": 7, "bbox": [1, 2, 30, 40]},
      {"id": 4, "image_id": 5, "category_id": 2, "bbox": [10, 10, -5, 20]},
      {"id": 5, "image_id": 99, "category_id": 1, "bbox": [1, 1, 2, 2]},
      {"id": 6, "image_id": 1, "category_id": 1, "bbox": "wide"}
    ],
    "categories": [{"id": 1, "name": "ace"}, {"id": 2, "name": "king"}, {"id": 7, "name": "joker"}]
  })");
  const ReadResult result = read_coco(tmp.path() / "c.json", kCategories);
  ASSERT_EQ(result.images.size(), 0u);  // good.jpg has a broken annotation (id 6) as well
  std::vector<std::string> lines;
  for (const auto& p : result.problems) lines.push_back(p.file + ": " + p.message);
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre(
                         HasSubstr("../escape.jpg: unsafe image file name"),
                         HasSubstr("nosize.jpg: missing or invalid image size 0x0"),
                         HasSubstr("c.json: annotation 5 refers to image id 99"),
                         HasSubstr("good.jpg: annotation 6: bbox must be [x, y, w, h]"),
                         HasSubstr("outside.jpg: box 'ace' [x 90, y 2, w 30, h 40] is outside"),
                         HasSubstr("unknown.jpg: unknown category 'joker'"),
                         HasSubstr("negative.jpg: box 'king' [x 10, y 10, w -5, h 20] has a "
                                   "negative size")));
}

TEST(CocoBadInput, BrokenJsonIsCorrupt) {
  testing::TempDir tmp;
  write_text(tmp.path() / "c.json", "{\"images\": [");
  try {
    read_labels(tmp.path() / "c.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_THAT(e.what(), HasSubstr("c.json: broken JSON"));
  }
  write_text(tmp.path() / "d.json", "{\"images\": []}");
  EXPECT_THROW(read_labels(tmp.path() / "d.json"), Error);
}

TEST(CsvBadInput, BadRowsAreReportedPerImage) {
  testing::TempDir tmp;
  write_text(tmp.path() / "l.csv",
             "filename,width,height,class,xmin,ymin,xmax,ymax\r\n"
             "good.jpg,100,80,ace,1,2,30,40\r\n"
             "good.jpg,100,80,king,5,5,10,10\r\n"
             "out.jpg,100,80,ace,1,2,130,40\n"
             "short.jpg,100,80,ace\n"
             "neg.jpg,100,80,ace,30,2,10,40\n"
             "unk.jpg,100,80,joker,1,2,10,40\n"
             "../x.jpg,100,80,ace,1,2,10,40\n");
  const ReadResult result = read_csv(tmp.path() / "l.csv", kCategories);
  ASSERT_EQ(result.images.size(), 1u);
  EXPECT_EQ(result.images[0].boxes.size(), 2u);
  std::vector<std::string> lines;
  for (const auto& p : result.problems) lines.push_back(p.file + ": " + p.message);
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre(
                         HasSubstr("l.csv: line 5: expected 8 fields, found 4"),
                         HasSubstr("out.jpg: box 'ace' [x 1, y 2, w 129, h 38] is outside"),
                         HasSubstr("neg.jpg: box 'ace' [x 30, y 2, w -20, h 38] has a negative"),
                         HasSubstr("unk.jpg: unknown category 'joker'"),
                         HasSubstr("../x.jpg: unsafe image file name")));
  write_text(tmp.path() / "bad.csv", "name,x\n");
  EXPECT_THROW(read_csv(tmp.path() / "bad.csv"), Error);
}

// The API refuses boxes under a pixel (boxloop::kMinBoxPixels); label files go through the same
// check_box_size, so `boxloop import-labels` cannot store what the page and the API never would.
TEST(SubPixelBoxes, MakeAProblemOfTheirFileAndRoundOffPasses) {
  testing::TempDir tmp;
  const fs::path voc = tmp.path() / "voc";
  write_text(voc / "a_good.xml", voc_one_box("a.jpg", "ace", "10", "10", "50", "60"));
  write_text(voc / "b_thin.xml", voc_one_box("b.jpg", "ace", "10", "10", "10.000001", "60"));
  write_text(voc / "c_flat.xml", voc_one_box("c.jpg", "ace", "10", "10", "50", "10.5"));
  // 91.3 - 90.3 is a hair under 1 in doubles: a one-pixel box written as corners.
  write_text(voc / "d_corners.xml", voc_one_box("d.jpg", "ace", "90.3", "10", "91.3", "11"));
  const auto problems = voc_problems(voc, 2);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("b_thin.xml: box 'ace' [x 10, y 10, w 9.99"));
  EXPECT_THAT(problems[0], HasSubstr("e-07, h 50] is thinner than a pixel"));
  EXPECT_THAT(problems[1],
              HasSubstr("c_flat.xml: box 'ace' [x 10, y 10, w 40, h 0.5] is thinner "
                        "than a pixel (40 x 0.5); boxes must be at least 1 x 1 pixels"));

  const fs::path yolo = tmp.path() / "yolo";
  write_text(yolo / "classes.txt", "ace\n");
  write_text(yolo / "a.txt", "0 0.5 0.5 0.2 0.2\n");
  write_text(yolo / "b.txt", "0 0.5 0.5 0.2 0.2\n0 0.5 0.5 1e-6 0.2\n");
  const std::vector<ImageLabels> sizes = {{"a.jpg", 100, 80, {}}, {"b.jpg", 100, 80, {}}};
  const ReadResult read = read_yolo_dir(yolo, sizes, kCategories);
  ASSERT_EQ(read.images.size(), 1u);
  EXPECT_EQ(read.images[0].file, "a.jpg");
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].file, "b.txt");
  EXPECT_THAT(read.problems[0].message, HasSubstr("e-05, h 16] is thinner than a pixel"));
}

TEST(ReadLabels, UnknownPathsAreClearErrors) {
  testing::TempDir tmp;
  try {
    read_labels(tmp.path() / "missing.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  write_text(tmp.path() / "labels.txt", "x");
  try {
    read_labels(tmp.path() / "labels.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("unknown label format"));
  }
}

}  // namespace
}  // namespace boxloop
