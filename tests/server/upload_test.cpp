#include <opencv2/imgcodecs.hpp>

#include "server_fixture.h"
#include "synth/synth.h"

namespace boxloop::server::testing {
namespace {

std::string png_bytes(int index) {
  SynthOptions options;
  options.width = 120;
  options.height = 90;
  options.seed = 77;
  std::vector<unsigned char> bytes;
  cv::imencode(".png", synth_image(options, index).bgr, bytes);
  return std::string(bytes.begin(), bytes.end());
}

TEST_F(ServerTest, UploadAddsAGoodImageAndRefusesACorruptOne) {
  start_server();
  auto cli = client();
  httplib::MultipartFormDataItems good{{"file", png_bytes(0), "new card.png", "image/png"}};
  auto res = cli.Post("/api/images", good);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json added = json_of(res);
  ASSERT_EQ(added["results"].size(), 1u);
  EXPECT_EQ(added["results"][0]["action"], "added");
  EXPECT_EQ(added["results"][0]["image"]["width"], 120);
  EXPECT_EQ(store_->images().size(), static_cast<std::size_t>(kImageCount + 1));

  std::string truncated = png_bytes(1);
  truncated.resize(truncated.size() / 2);
  for (const std::string& bad : {std::string("this is not an image"), truncated}) {
    httplib::MultipartFormDataItems corrupt{{"file", bad, "broken.png", "image/png"}};
    auto refused = cli.Post("/api/images", corrupt);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400);
    const Json body = json_of(refused);
    EXPECT_NE(body["error"]["message"].get<std::string>().find("broken.png"), std::string::npos);
    EXPECT_EQ(body["results"][0]["action"], "rejected");
  }
  EXPECT_EQ(store_->images().size(), static_cast<std::size_t>(kImageCount + 1));

  auto not_multipart = cli.Post("/api/images", "{}", "application/json");
  EXPECT_EQ(not_multipart->status, 400);
}

}  // namespace
}  // namespace boxloop::server::testing
