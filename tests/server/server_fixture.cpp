#include "server_fixture.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "project/project_ops.h"
#include "synth/synth.h"

namespace boxloop::server::testing {

namespace fs = std::filesystem;

void ServerTest::SetUp() {
  spdlog::set_level(spdlog::level::warn);  // a line per project and server start is noise here
  std::random_device random;
  dir_ = fs::temp_directory_path() / ("boxloop-server-test-" + std::to_string(random()));
  fs::create_directories(dir_);
  std::vector<Category> categories;
  for (const std::string& rank : card_ranks()) {
    categories.push_back(Category{0, rank, "", "#808080", 0});
  }
  store_ = Store::create(dir_ / "project", "server-test", categories);

  SynthOptions synth;
  synth.width = kWidth;
  synth.height = kHeight;
  const fs::path images = dir_ / "incoming";
  fs::create_directories(images);
  for (int i = 0; i < kImageCount; ++i) {
    // Numbered so import order is the file order.
    const fs::path file = images / ("img" + std::to_string(10 + i) + ".png");
    ASSERT_TRUE(cv::imwrite(file.string(), synth_image(synth, i).bgr));
  }
  const auto results = import_images(*store_, {images});
  ASSERT_EQ(results.size(), static_cast<std::size_t>(kImageCount));
  for (const auto& result : results)
    ASSERT_EQ(result.action, ImportAction::kAdded) << result.message;

  web_root_ = dir_ / "web";
  fs::create_directories(web_root_ / "assets");
  std::ofstream(web_root_ / "index.html") << "<!doctype html><title>boxloop</title>";
  std::ofstream(web_root_ / "assets" / "app-1234.js") << "console.log('boxloop')";
}

void ServerTest::TearDown() {
  server_.reset();
  store_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void ServerTest::start_server(ServerOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  if (options.web_root.empty()) options.web_root = web_root_;
  options.threads = 16;
  server_ = std::make_unique<Server>(*store_, options);
  server_->start();
  ASSERT_GT(server_->port(), 0);
}

httplib::Client ServerTest::client(const std::optional<std::string>& token) const {
  httplib::Client client("127.0.0.1", server_->port());
  client.set_url_encode(false);  // the tests send raw targets, tricks included
  client.set_read_timeout(10);
  if (token) client.set_bearer_token_auth(*token);
  return client;
}

Json ServerTest::json_of(const httplib::Result& result) {
  EXPECT_TRUE(result) << "no response: " << httplib::to_string(result.error());
  if (!result) return Json();
  try {
    return Json::parse(result->body);
  } catch (const Json::parse_error& e) {
    ADD_FAILURE() << "not JSON (" << e.what() << "): " << result->body.substr(0, 200);
    return Json();
  }
}

httplib::Result ServerTest::put_labels(httplib::Client& client, Id image_id, int version,
                                       const Json& boxes, const std::string& comment) {
  const Json body{{"version", version}, {"boxes", boxes}, {"comment", comment}};
  return client.Put("/api/images/" + std::to_string(image_id) + "/labels", body.dump(),
                    "application/json");
}

Id ServerTest::category_id(const std::string& name) {
  auto category = store_->category_by_name(name);
  EXPECT_TRUE(category) << name;
  return category ? category->id : 0;
}

Json ServerTest::data_snapshot() {
  Json images = Json::array();
  for (const Image& image : store_->images()) {
    Json events = Json::array();
    for (const LabelEvent& event : store_->label_events(image.id)) {
      events.push_back(
          Json{{"id", event.id}, {"comment", event.comment}, {"version", event.version}});
    }
    images.push_back(
        Json{{"image", image}, {"annotations", store_->annotations(image.id)}, {"events", events}});
  }
  Json jobs = Json::array();
  for (const Job& job : store_->jobs()) {
    jobs.push_back(Json{{"id", job.id}, {"kind", to_string(job.kind)}, {"params", job.params}});
  }
  return Json{{"settings", to_json(store_->settings())},
              {"images", images},
              {"jobs", jobs},
              {"models", store_->models().size()},
              {"users", store_->users().size()}};
}

}  // namespace boxloop::server::testing
