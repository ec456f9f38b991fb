#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  start_server(options);
  auto cli = client();
  const std::string big =
      R"({"version": 0, "boxes": [], "comment": ")" + std::string(4096, 'a') + R"("})";
  auto res = cli.Put("/api/images/" + std::to_string(store_->images().at(0).id) + "/labels", big,
                     "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(json_of(res)["error"]["code"], "too_large");
  EXPECT_EQ(store_->image(store_->images().at(0).id)->status, ImageStatus::kUnlabeled);
}

TEST_F(ServerTest, UnknownApiRoutesAreJson404) {
  start_server();
  auto cli = client();
  auto check = [&](const httplib::Result& res) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    EXPECT_EQ(json_of(res)["error"]["code"], "not_found");
  };
  check(cli.Get("/api/nothing"));
  check(cli.Post("/api/nothing", "{}", "application/json"));
}

TEST_F(ServerTest, ServesThePageWithIndexFallback) {
  start_server();
  auto cli = client();
  for (const char* path : {"/", "/label/7"}) {
    auto res = cli.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_NE(res->body.find("<title>boxloop</title>"), std::string::npos) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  }
  auto script = cli.Get("/assets/app-1234.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->body, "console.log('boxloop')");
  EXPECT_NE(script->get_header_value("Content-Type").find("javascript"), std::string::npos);
  EXPECT_EQ(cli.Get("/assets/missing.js")->status, 404);
  EXPECT_EQ(cli.Get("/../project/boxloop.db")->status, 404);
}

TEST_F(ServerTest, ProjectStatsJobsAndModelsDescribeTheProject) {
  start_server();
  auto cli = client();
  const Json project = json_of(cli.Get("/api/project"));
  EXPECT_EQ(project["name"], "server-test");
  ASSERT_EQ(project["categories"].size(), 6u);
  EXPECT_EQ(project["categories"][0]["name"], "nine");
  EXPECT_EQ(project["counts"]["images"]["total"], kImageCount);
  EXPECT_TRUE(project["settings"].is_object());

  const Json stats = json_of(cli.Get("/api/stats"));
  EXPECT_EQ(stats["images"]["unlabeled"], kImageCount);
  ASSERT_EQ(stats["categories"].size(), 6u);
  EXPECT_EQ(stats["categories"][0]["boxes"], 0);

  EXPECT_EQ(json_of(cli.Get("/api/jobs")), Json::array());
  EXPECT_EQ(json_of(cli.Get("/api/models")), Json::array());
}

TEST_F(ServerTest, ManyConcurrentClientsAreServed) {
  start_server();  // 16 worker threads in tests
  std::vector<std::thread> threads;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 40; ++i) {  // more clients than the 16 workers
    threads.emplace_back([&] {
      auto cli = client();
      for (int j = 0; j < 2; ++j) {
        auto res = cli.Get("/api/stats");
        if (res && res->status == 200) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, 80);
}

}  // namespace
}  // namespace boxloop::server::testing
