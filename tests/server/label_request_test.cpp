#include "server/label_request.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace boxloop::server {
namespace {

class LabelRequestTest : public ::testing::Test {
 protected:
  Image image_{7, "a.png", "", 100, 80, "", ImageStatus::kUnlabeled, 3};
  std::vector<Category> categories_{{1, "nine", "1", "#000000", 0}, {2, "ten", "2", "#ffffff", 1}};
};

TEST_F(LabelRequestTest, ReadsFlatAndNestedBoxesWithSourceAndScore) {
  const Json body = Json::parse(R"({"version": 3, "comment": "ok", "boxes": [
      {"category_id": 1, "x": 1, "y": 2, "w": 3, "h": 4},
      {"category_id": 2, "box": {"x": 5, "y": 6, "w": 7, "h": 8}, "source": "model", "score": 0.75}
  ]})");
  const LabelSave save = parse_label_save(body, image_, categories_, "ann");
  EXPECT_EQ(save.image_id, 7);
  EXPECT_EQ(save.expected_version, 3);
  EXPECT_EQ(save.labeler, "ann");
  EXPECT_EQ(save.comment, "ok");
  EXPECT_EQ(save.status, ImageStatus::kLabeled);
  ASSERT_EQ(save.boxes.size(), 2u);
  EXPECT_EQ(save.boxes[0].box, (Box{1, 2, 3, 4}));
  EXPECT_EQ(save.boxes[0].source, BoxSource::kHuman);
  EXPECT_FALSE(save.boxes[0].score);
  EXPECT_EQ(save.boxes[1].category_id, 2);
  EXPECT_EQ(save.boxes[1].box, (Box{5, 6, 7, 8}));
  EXPECT_EQ(save.boxes[1].source, BoxSource::kModel);
  EXPECT_EQ(save.boxes[1].score, 0.75);
}

TEST_F(LabelRequestTest, ClipsToTheImageAndRefusesWhatIsLeftEmpty) {
  const Json partly = Json::parse(
      R"({"version": 0, "boxes": [{"category_id": 1, "x": 90, "y": -10, "w": 30, "h": 30}]})");
  EXPECT_EQ(parse_label_save(partly, image_, categories_, "ann").boxes.at(0).box,
            (Box{90, 0, 10, 20}));
  for (const char* outside : {R"({"category_id": 1, "x": 100, "y": 0, "w": 5, "h": 5})",
                              R"({"category_id": 1, "x": -20, "y": 0, "w": 20, "h": 5})",
                              R"({"category_id": 1, "x": 0, "y": 80, "w": 5, "h": 5})"}) {
    const Json body{{"version", 0}, {"boxes", Json::array({Json::parse(outside)})}};
    try {
      parse_label_save(body, image_, categories_, "ann");
      ADD_FAILURE() << "accepted " << outside;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find("outside the 100x80 image"), std::string::npos);
    }
  }
}

TEST_F(LabelRequestTest, SkipNeedsAVersion) {
  const LabelSave skip = parse_skip(Json::parse(R"({"version": 2})"), image_, "ann");
  EXPECT_EQ(skip.status, ImageStatus::kSkipped);
  EXPECT_TRUE(skip.boxes.empty());
  EXPECT_THROW(parse_skip(Json::parse(R"({"version": 1.5})"), image_, "ann"), Error);
  EXPECT_THROW(parse_skip(Json::parse(R"({"version": -1})"), image_, "ann"), Error);
}

}  // namespace
}  // namespace boxloop::server
