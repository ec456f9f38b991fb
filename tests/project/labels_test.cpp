#include <gmock/gmock.h>
#include <zip.h>

#include "core/error.h"
#include "core/json.h"
#include "formats/formats.h"
#include "project_fixture.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProjectTest;

using LabelsTest = ProjectTest;

// Boxes per file name, to compare projects regardless of order.
std::map<std::string, std::vector<NamedBox>> boxes_by_file(const std::vector<ImageLabels>& images) {
  std::map<std::string, std::vector<NamedBox>> map;
  for (const auto& image : images) map[image.file] = image.boxes;
  return map;
}

TEST_F(LabelsTest, ImportsVocBesideTheImagesOneSavePerImage) {
  const auto truth = synth_into("set", 6, 21);
  ASSERT_EQ(import_images(*store_, {root_ / "in" / "set"}).size(), 6u);
  std::vector<double> progress;
  const LabelImportResult result =
      import_labels(*store_, (root_ / "in" / "set").string() + "/", "alice",
                    [&](double f, const std::string&) { progress.push_back(f); });
  EXPECT_TRUE(result.problems.empty());
  EXPECT_EQ(result.images_labeled, 6);
  int expected_boxes = 0;
  for (const auto& t : truth) expected_boxes += static_cast<int>(t.boxes.size());
  EXPECT_EQ(result.boxes, expected_boxes);
  ASSERT_FALSE(progress.empty());
  EXPECT_DOUBLE_EQ(progress.back(), 1.0);

  EXPECT_EQ(store_->image_counts().labeled, 6);
  EXPECT_EQ(boxes_by_file(project_labels(*store_)), boxes_by_file(truth));
  const Image first = *store_->image_by_path(truth[0].file);
  const auto events = store_->label_events(first.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].labeler, "alice");
  EXPECT_EQ(events[0].comment, "imported from set");
  EXPECT_EQ(events[0].box_count, static_cast<int>(truth[0].boxes.size()));
}

TEST_F(LabelsTest, ProblemsArePerFileAndLabeledImagesAreNotOverwritten) {
  synth_into("set", 3, 4);
  import_images(*store_, {root_ / "in" / "set"});
  // A COCO file: one good image, one unknown image, one unknown category, one wrong size.
  const std::string coco = R"({
    "images": [
      {"id": 1, "file_name": "synth_4_0.jpg", "width": 160, "height": 120},
      {"id": 2, "file_name": "not_in_project.jpg", "width": 160, "height": 120},
      {"id": 3, "file_name": "synth_4_1.jpg", "width": 160, "height": 120},
      {"id": 4, "file_name": "synth_4_2.jpg", "width": 320, "height": 240}],
    "annotations": [
      {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 30]},
      {"id": 2, "image_id": 2, "category_id": 1, "bbox": [10, 10, 20, 30]},
      {"id": 3, "image_id": 3, "category_id": 2, "bbox": [10, 10, 20, 30]}],
    "categories": [{"id": 1, "name": "ace"}, {"id": 2, "name": "joker"}]})";
  write_bytes(root_ / "in" / "labels.json", coco);
  const LabelImportResult result = import_labels(*store_, root_ / "in" / "labels.json", "bob");
  EXPECT_EQ(result.images_labeled, 1);
  EXPECT_EQ(result.boxes, 1);
  std::vector<std::string> lines;
  for (const auto& p : result.problems) lines.push_back(p.file + ": " + p.message);
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre(
                         "not_in_project.jpg: no image of that name in the project",
                         HasSubstr("synth_4_1.jpg: unknown category 'joker'"),
                         "synth_4_2.jpg: the labels are for a 320x240 image, but synth_4_2.jpg is "
                         "160x120"));
  // A second import never overwrites the first one's labels.
  const LabelImportResult again = import_labels(*store_, root_ / "in" / "labels.json", "carol");
  EXPECT_EQ(again.images_labeled, 0);
  std::vector<std::string> messages;
  for (const auto& p : again.problems) messages.push_back(p.message);
  EXPECT_THAT(messages, ::testing::Contains(HasSubstr("synth_4_0.jpg is already labeled; not "
                                                      "overwritten")));
  const Image image = *store_->image_by_path("synth_4_0.jpg");
  EXPECT_EQ(store_->label_events(image.id).size(), 1u);
  EXPECT_EQ(store_->annotations(image.id).size(), 1u);
}

// `boxloop import-labels` holds boxes to the API's minimum size (check_box_size): a file with a
// box under a pixel is reported and not saved, like any other bad box; the other files are.
TEST_F(LabelsTest, SubPixelBoxesAreReportedPerFileAndTheOthersStored) {
  synth_into("set", 2, 5);
  import_images(*store_, {root_ / "in" / "set"});
  const fs::path voc = root_ / "in" / "voc";
  write_bytes(voc / "a.xml", voc_xml({"synth_5_0.jpg", 160, 120, {{"ace", Box{10, 10, 20, 30}}}}));
  write_bytes(voc / "b.xml",
              voc_xml({"synth_5_1.jpg",
                       160,
                       120,
                       {{"ace", Box{10, 10, 20, 30}}, {"ace", Box{40, 40, 1e-6, 30}}}}));
  const LabelImportResult result = import_labels(*store_, voc, "bob");
  EXPECT_EQ(result.images_labeled, 1);
  EXPECT_EQ(result.boxes, 1);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].file, "b.xml");
  EXPECT_THAT(result.problems[0].message, HasSubstr("box 'ace' [x 40, y 40, w 9.99"));
  EXPECT_THAT(result.problems[0].message, HasSubstr("is thinner than a pixel"));
  EXPECT_EQ(store_->image_by_path("synth_5_0.jpg")->status, ImageStatus::kLabeled);
  const Image thin = *store_->image_by_path("synth_5_1.jpg");
  EXPECT_EQ(thin.status, ImageStatus::kUnlabeled);
  EXPECT_TRUE(store_->annotations(thin.id).empty());
}

TEST_F(LabelsTest, MatchesByFileNameAndByStemIgnoringCase) {
  const std::string jpeg = jpeg_of(noise(100, 80));
  write_bytes(root_ / "in" / "IMG_7.JPG", jpeg);
  import_images(*store_, {root_ / "in" / "IMG_7.JPG"});
  // The XML lives elsewhere and names the image with another case and extension.
  write_bytes(root_ / "labels" / "sub" / "img_7.xml",
              "<annotation><filename>img_7.jpeg</filename><size><width>100</width>"
              "<height>80</height></size><object><name>king</name><bndbox><xmin>1</xmin>"
              "<ymin>2</ymin><xmax>50</xmax><ymax>60</ymax></bndbox></object></annotation>");
  const LabelImportResult result = import_labels(*store_, root_ / "labels", "dave");
  EXPECT_TRUE(result.problems.empty()) << result.problems[0].message;
  EXPECT_EQ(result.images_labeled, 1);
  const auto labels = project_labels(*store_);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0].file, "IMG_7.JPG");
  EXPECT_EQ(labels[0].boxes[0], (NamedBox{"king", Box{1, 2, 49, 58}}));
}

TEST_F(LabelsTest, UnreadableLabelPathsAreErrors) {
  EXPECT_THROW(import_labels(*store_, root_ / "missing.json", "x"), Error);
  write_bytes(root_ / "in" / "broken.json", "{");
  try {
    import_labels(*store_, root_ / "in" / "broken.json", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
  }
}

// Export in every format, import into a fresh project with the same images: the same boxes.
TEST_F(LabelsTest, EveryExportFormatImportsBackIntoAFreshProject) {
  synth_into("set", 5, 9);
  import_images(*store_, {root_ / "in" / "set"});
  import_labels(*store_, root_ / "in" / "set", "alice");
  const auto expected = boxes_by_file(project_labels(*store_));
  ASSERT_EQ(expected.size(), 5u);

  int round = 0;
  for (const auto& [format, out] :
       std::vector<std::pair<LabelFormat, std::string>>{{LabelFormat::kCoco, "labels.json"},
                                                        {LabelFormat::kVoc, "voc"},
                                                        {LabelFormat::kYolo, "yolo"},
                                                        {LabelFormat::kCsv, "labels.csv"}}) {
    const fs::path exported = root_ / "out" / out;
    export_labels(*store_, format, exported);
    auto fresh = make_project(root_ / ("fresh" + std::to_string(round++)));
    import_images(*fresh, {root_ / "in" / "set"});
    const LabelImportResult result = import_labels(*fresh, exported, "importer");
    EXPECT_TRUE(result.problems.empty()) << to_string(format);
    const auto actual = boxes_by_file(project_labels(*fresh));
    ASSERT_EQ(actual.size(), expected.size()) << to_string(format);
    for (const auto& [file, boxes] : expected) {
      const auto& got = actual.at(file);
      ASSERT_EQ(got.size(), boxes.size()) << file;
      for (std::size_t i = 0; i < boxes.size(); ++i) {
        EXPECT_EQ(got[i].category, boxes[i].category);
        // YOLO's normalised numbers come back within a millionth; the others exactly.
        EXPECT_NEAR(got[i].box.x, boxes[i].box.x, 1e-6 * 160) << to_string(format);
        EXPECT_NEAR(got[i].box.y, boxes[i].box.y, 1e-6 * 120);
        EXPECT_NEAR(got[i].box.w, boxes[i].box.w, 1e-6 * 160);
        EXPECT_NEAR(got[i].box.h, boxes[i].box.h, 1e-6 * 120);
      }
    }
  }
}

std::vector<std::string> zip_entries(const std::string& bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_source_free(source);
    ADD_FAILURE() << "not a zip: " << zip_error_strerror(&error);
    return {};
  }
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    names.push_back(zip_get_name(archive, static_cast<zip_uint64_t>(i), 0));
  }
  zip_close(archive);
  return names;
}

TEST_F(LabelsTest, ArchivesAreFilesOrZipsOfTheFolder) {
  // Empty project: still valid downloads.
  EXPECT_TRUE(zip_entries(export_labels_archive(*store_, LabelFormat::kVoc).bytes).empty());

  synth_into("set", 2, 3);
  import_images(*store_, {root_ / "in" / "set"});
  import_labels(*store_, root_ / "in" / "set", "alice");
  const ExportArchive coco = export_labels_archive(*store_, LabelFormat::kCoco);
  EXPECT_EQ(coco.filename, "labels-coco.json");
  EXPECT_EQ(coco.content_type, "application/json");
  EXPECT_EQ(Json::parse(coco.bytes)["images"].size(), 2u);
  const ExportArchive csv = export_labels_archive(*store_, LabelFormat::kCsv);
  EXPECT_EQ(csv.content_type, "text/csv");
  EXPECT_EQ(csv.bytes.rfind("filename,width,height,class,xmin,ymin,xmax,ymax\n", 0), 0u);

  const ExportArchive voc = export_labels_archive(*store_, LabelFormat::kVoc);
  EXPECT_EQ(voc.filename, "labels-voc.zip");
  EXPECT_EQ(voc.content_type, "application/zip");
  EXPECT_THAT(zip_entries(voc.bytes), ::testing::ElementsAre("synth_3_0.xml", "synth_3_1.xml"));
  const ExportArchive yolo = export_labels_archive(*store_, LabelFormat::kYolo);
  EXPECT_THAT(zip_entries(yolo.bytes),
              ::testing::ElementsAre("classes.txt", "synth_3_0.txt", "synth_3_1.txt"));
}

}  // namespace
}  // namespace boxloop
