#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

class AuthTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    admin_token_ = store_->add_user("ada", UserRole::kAdmin, std::string("ada-password"));
    labeler_token_ = store_->add_user("lee", UserRole::kLabeler, std::string("lee-password"));
    start_server();
  }
  std::string admin_token_;
  std::string labeler_token_;
};

TEST_F(ServerTest, ProjectWithoutUsersIsOpenAsLocalAdmin) {
  start_server();
  auto cli = client();
  const Json me = json_of(cli.Get("/api/me"));
  EXPECT_EQ(me["name"], "local");
  EXPECT_EQ(me["role"], "admin");
  auto settings =
      cli.Patch("/api/project/settings", R"({"lease_seconds": 60})", "application/json");
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->status, 200);
}

TEST_F(AuthTest, NoTokenIs401WithJsonError) {
  auto cli = client();
  for (const char* path : {"/api/project", "/api/next", "/api/stats", "/api/images/1"}) {
    auto res = cli.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 401) << path;
    EXPECT_EQ(json_of(res)["error"]["code"], "unauthenticated") << path;
  }
}

TEST_F(AuthTest, UnknownTokenIs401) {
  auto cli = client(std::string("not-a-token"));
  auto res = cli.Get("/api/project");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(AuthTest, QueryTokenOnlyCountsForTheEventStream) {
  auto cli = client();
  auto res = cli.Get("/api/project?token=" + labeler_token_);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(AuthTest, LabelerMayLabelButNotUseAdminRoutes) {
  const ProjectSettings settings_before = store_->settings();
  auto labeler = client(labeler_token_);
  EXPECT_EQ(labeler.Get("/api/project")->status, 200);
  EXPECT_EQ(labeler.Get("/api/next")->status, 200);

  auto expect_forbidden = [&](const httplib::Result& res, const std::string& what) {
    ASSERT_TRUE(res) << what;
    EXPECT_EQ(res->status, 403) << what;
    EXPECT_EQ(json_of(res)["error"]["code"], "forbidden") << what;
  };
  expect_forbidden(labeler.Get("/api/export?format=coco"), "export");
  expect_forbidden(
      labeler.Patch("/api/project/settings", R"({"lease_seconds": 1})", "application/json"),
      "settings");
  expect_forbidden(labeler.Post("/api/jobs", R"({"kind": "train"})", "application/json"),
                   "jobs POST");
  httplib::MultipartFormDataItems upload{{"file", "not really", "x.png", "image/png"}};
  expect_forbidden(labeler.Post("/api/images", upload), "upload");

  EXPECT_EQ(store_->settings(), settings_before) << "a refused patch changed settings";
  EXPECT_TRUE(store_->jobs().empty()) << "a refused POST created a job";
  EXPECT_EQ(store_->images().size(), static_cast<std::size_t>(kImageCount));
}

TEST_F(AuthTest, AdminMayChangeSettingsAndQueueJobs) {
  auto admin = client(admin_token_);
  auto res = admin.Patch("/api/project/settings", R"({"lease_seconds": 42})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json_of(res)["lease_seconds"], 42);
  EXPECT_EQ(store_->settings().lease_seconds, 42);

  auto job =
      admin.Post("/api/jobs", R"({"kind": "train", "params": {"steps": 5}})", "application/json");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, 201);
  EXPECT_EQ(json_of(job)["state"], "queued");
  const Json jobs = json_of(admin.Get("/api/jobs"));
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["kind"], "train");
  EXPECT_EQ(jobs[0]["params"]["steps"], 5);

  auto bad = admin.Post("/api/jobs", R"({"kind": "dance"})", "application/json");
  EXPECT_EQ(bad->status, 400);
}

TEST_F(AuthTest, LoginIssuesASessionTokenAndLogoutEndsIt) {
  auto anonymous = client();
  auto wrong =
      anonymous.Post("/api/login", R"({"name": "lee", "password": "nope"})", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  auto login = anonymous.Post("/api/login", R"({"name": "lee", "password": "lee-password"})",
                              "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  const Json answer = json_of(login);
  EXPECT_EQ(answer["user"]["name"], "lee");
  EXPECT_EQ(answer["user"]["role"], "labeler");
  const std::string session = answer["token"];

  auto session_client = client(session);
  EXPECT_EQ(json_of(session_client.Get("/api/me"))["name"], "lee");
  EXPECT_EQ(session_client.Post("/api/logout", "", "application/json")->status, 200);
  EXPECT_EQ(session_client.Get("/api/me")->status, 401);
  // The API token from `user add` still works.
  EXPECT_EQ(client(labeler_token_).Get("/api/me")->status, 200);
}

}  // namespace
}  // namespace boxloop::server::testing
