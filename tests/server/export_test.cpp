#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

TEST_F(ServerTest, ExportsEveryFormat) {
  start_server();
  auto cli = client();
  const Image image = store_->images().at(0);
  const Json boxes = Json::array(
      {Json{{"category_id", category_id("jack")}, {"x", 10}, {"y", 10}, {"w", 30}, {"h", 40}}});
  ASSERT_EQ(put_labels(cli, image.id, 0, boxes)->status, 200);

  auto coco = cli.Get("/api/export?format=coco");
  ASSERT_TRUE(coco);
  ASSERT_EQ(coco->status, 200) << coco->body;
  EXPECT_NE(coco->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  const Json coco_json = json_of(coco);
  ASSERT_EQ(coco_json["annotations"].size(), 1u);
  EXPECT_EQ(coco_json["images"].size(), 1u);

  auto csv = cli.Get("/api/export?format=csv");
  ASSERT_EQ(csv->status, 200);
  EXPECT_NE(csv->body.find("jack"), std::string::npos);
  EXPECT_NE(csv->body.find("filename"), std::string::npos);

  for (const char* zipped : {"voc", "yolo"}) {
    auto res = cli.Get(std::string("/api/export?format=") + zipped);
    ASSERT_TRUE(res) << zipped;
    ASSERT_EQ(res->status, 200) << zipped;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/zip") << zipped;
    ASSERT_GE(res->body.size(), 4u);
    EXPECT_EQ(res->body.substr(0, 2), "PK") << zipped;
  }

  auto bad = cli.Get("/api/export?format=tiff");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(cli.Get("/api/export")->status, 400);
}

}  // namespace
}  // namespace boxloop::server::testing
