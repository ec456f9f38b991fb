#include <chrono>

#include "server_fixture.h"
#include "store/database.h"

namespace boxloop::server::testing {
namespace {

class LabelsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    alice_ = store_->add_user("alice", UserRole::kLabeler);
    bob_ = store_->add_user("bob", UserRole::kLabeler);
    start_server();
  }

  Json two_boxes() {
    return Json::array(
        {Json{{"category_id", category_id("queen")}, {"x", 10}, {"y", 12}, {"w", 30}, {"h", 40}},
         Json{{"category_id", category_id("ace")}, {"x", 50.5}, {"y", 20}, {"w", 25}, {"h", 35}}});
  }

  std::string alice_;
  std::string bob_;
};

TEST_F(LabelsTest, TwoLabelersGetDifferentImagesAndExcludeSkipsHeldOnes) {
  auto alice = client(alice_);
  auto bob = client(bob_);
  const Json a = json_of(alice.Get("/api/next"));
  const Json b = json_of(bob.Get("/api/next"));
  ASSERT_TRUE(a["image"].is_object());
  ASSERT_TRUE(b["image"].is_object());
  EXPECT_NE(a["image"]["id"], b["image"]["id"]);
  EXPECT_EQ(store_->lease_holder(a["image"]["id"].get<Id>()), "alice");

  // Asking again returns the image alice already holds; exclude gives her the one after it.
  EXPECT_EQ(json_of(alice.Get("/api/next"))["image"]["id"], a["image"]["id"]);
  const std::string exclude = std::to_string(a["image"]["id"].get<Id>());
  const Json c = json_of(alice.Get("/api/next?exclude=" + exclude));
  ASSERT_TRUE(c["image"].is_object());
  EXPECT_NE(c["image"]["id"], a["image"]["id"]);
  EXPECT_NE(c["image"]["id"], b["image"]["id"]);

  EXPECT_EQ(alice.Get("/api/next?exclude=1,x")->status, 400);
}

TEST_F(LabelsTest, SavedLabelsComeBackExactlyWithTheLabelersName) {
  auto alice = client(alice_);
  const Json next = json_of(alice.Get("/api/next"));
  const Id id = next["image"]["id"];
  const int version = next["image"]["version"];
  auto res = put_labels(alice, id, version, two_boxes(), "two cards");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json_of(res)["event"]["labeler"], "alice");

  const Json got = json_of(alice.Get("/api/images/" + std::to_string(id)));
  EXPECT_EQ(got["image"]["status"], "labeled");
  EXPECT_EQ(got["image"]["version"], version + 1);
  ASSERT_EQ(got["annotations"].size(), 2u);
  const Json expected = two_boxes();
  for (std::size_t i = 0; i < 2; ++i) {
    const Json& box = got["annotations"][i]["box"];
    EXPECT_EQ(got["annotations"][i]["category_id"], expected[i]["category_id"]);
    EXPECT_DOUBLE_EQ(box["x"].get<double>(), expected[i]["x"].get<double>());
    EXPECT_DOUBLE_EQ(box["y"].get<double>(), expected[i]["y"].get<double>());
    EXPECT_DOUBLE_EQ(box["w"].get<double>(), expected[i]["w"].get<double>());
    EXPECT_DOUBLE_EQ(box["h"].get<double>(), expected[i]["h"].get<double>());
    EXPECT_EQ(got["annotations"][i]["source"], "human");
  }
  ASSERT_EQ(got["events"].size(), 1u);
  EXPECT_EQ(got["events"][0]["labeler"], "alice");
  EXPECT_EQ(got["events"][0]["comment"], "two cards");
  EXPECT_EQ(got["events"][0]["box_count"], 2);
  EXPECT_EQ(store_->label_events(id).at(0).labeler, "alice");
}

TEST_F(LabelsTest, StaleVersionIs409WithCurrentStateAndNothingOverwritten) {
  auto alice = client(alice_);
  auto bob = client(bob_);
  const Id id = store_->images().at(0).id;
  ASSERT_EQ(put_labels(alice, id, 0, two_boxes())->status, 200);

  const Json other = Json::array(
      {Json{{"category_id", category_id("nine")}, {"x", 1}, {"y", 1}, {"w", 5}, {"h", 5}}});
  auto res = put_labels(bob, id, 0, other);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  const Json body = json_of(res);
  EXPECT_EQ(body["error"]["code"], "conflict");
  EXPECT_EQ(body["current"]["image"]["version"], 1);
  ASSERT_EQ(body["current"]["annotations"].size(), 2u);

  const auto stored = store_->annotations(id);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].category_id, category_id("queen"));
  EXPECT_EQ(store_->label_events(id).size(), 1u);
}

// Another process (a CLI import, a training worker) holding the database's write lock past the
// server's wait is 503 busy with Retry-After, never 409: nothing was written and the page sends
// the same save again (save_queue.ts), where a 409 would show it as someone else's save.
TEST_F(LabelsTest, ADatabaseLockedByAnotherProcessIs503WithRetryAfterAndNothingWritten) {
  server_.reset();
  store_.reset();
  StoreOptions options;
  options.busy_timeout = std::chrono::milliseconds(100);
  store_ = Store::open(dir_ / "project", options);
  start_server();
  auto alice = client(alice_);
  const Id id = store_->images().at(0).id;

  auto other = Database::open(dir_ / "project" / Store::kDatabaseFile, /*create=*/false);
  other->exec("BEGIN IMMEDIATE");
  for (const auto& res : {put_labels(alice, id, 0, two_boxes()), alice.Get("/api/next")}) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503) << res->body;
    EXPECT_EQ(res->get_header_value("Retry-After"), "1");
    EXPECT_EQ(json_of(res)["error"]["code"], "busy");
  }
  // Reads go on meanwhile.
  auto image = alice.Get("/api/images/" + std::to_string(id));
  ASSERT_TRUE(image);
  EXPECT_EQ(image->status, 200);
  other->exec("ROLLBACK");

  EXPECT_TRUE(store_->annotations(id).empty());
  EXPECT_TRUE(store_->label_events(id).empty());
  EXPECT_FALSE(store_->lease_holder(id));
  auto again = put_labels(alice, id, 0, two_boxes());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
}

TEST_F(LabelsTest, WrongJsonOrTypesIs400NamingTheProblem) {
  auto alice = client(alice_);
  const Id id = store_->images().at(0).id;
  const std::string path = "/api/images/" + std::to_string(id) + "/labels";
  struct Case {
    std::string body;
    std::string message_part;
  };
  const Id queen = category_id("queen");
  const std::string q = std::to_string(queen);
  const std::vector<Case> cases = {
      {"{not json", "not valid JSON"},
      {"", "empty body"},
      {"[1, 2]", "JSON object"},
      {R"({"boxes": []})", "'version' is missing"},
      {R"({"version": "0", "boxes": []})", "'version' must be an integer"},
      {R"({"version": 0})", "'boxes' is missing"},
      {R"({"version": 0, "boxes": {}})", "'boxes' must be an array"},
      {R"({"version": 0, "boxes": [7]})", "box 0"},
      {R"({"version": 0, "boxes": [{"category_id": )" + q +
           R"(, "x": "1", "y": 1, "w": 2, "h": 2}]})",
       "'x' must be a number"},
      {R"({"version": 0, "boxes": [{"category_id": 99999, "x": 1, "y": 1, "w": 2, "h": 2}]})",
       "unknown category_id 99999"},
      {R"({"version": 0, "boxes": [{"category_id": )" + q +
           R"(, "x": 1, "y": 1, "w": -2, "h": 2}]})",
       "positive"},
      {R"({"version": 0, "comment": 5, "boxes": []})", "'comment' must be a string"},
      {R"({"version": 0, "boxes": [{"category_id": )" + q +
           R"(, "x": 1, "y": 1, "w": 2, "h": 2, "source": "robot"}]})",
       "'source'"},
  };
  for (const Case& c : cases) {
    auto res = alice.Put(path, c.body, "application/json");
    ASSERT_TRUE(res) << c.body;
    EXPECT_EQ(res->status, 400) << c.body;
    const Json error = json_of(res)["error"];
    EXPECT_EQ(error["code"], "invalid_argument") << c.body;
    EXPECT_NE(error["message"].get<std::string>().find(c.message_part), std::string::npos)
        << c.body << " -> " << error["message"];
  }
  EXPECT_EQ(store_->image(id)->status, ImageStatus::kUnlabeled);
  EXPECT_TRUE(store_->label_events(id).empty());
  EXPECT_EQ(
      alice.Put("/api/images/99999/labels", R"({"version":0,"boxes":[]})", "application/json")
          ->status,
      404);
}

TEST_F(LabelsTest, BoxesPartlyOutsideAreClippedAndFullyOutsideRefused) {
  auto alice = client(alice_);
  const Id id = store_->images().at(0).id;
  const Id king = category_id("king");
  const Json partly =
      Json::array({Json{{"category_id", king}, {"x", -10}, {"y", -5}, {"w", 50}, {"h", 45}},
                   Json{{"category_id", king},
                        {"x", kWidth - 20},
                        {"y", kHeight - 10},
                        {"w", 100},
                        {"h", 100}}});
  auto res = put_labels(alice, id, 0, partly);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto stored = store_->annotations(id);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].box, (Box{0, 0, 40, 40}));
  EXPECT_EQ(stored[1].box, (Box{kWidth - 20.0, kHeight - 10.0, 20, 10}));

  const Json outside =
      Json::array({Json{{"category_id", king}, {"x", 5}, {"y", 5}, {"w", 10}, {"h", 10}},
                   Json{{"category_id", king}, {"x", kWidth + 5}, {"y", 5}, {"w", 10}, {"h", 10}}});
  auto refused = put_labels(alice, id, 1, outside);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(json_of(refused)["error"]["message"].get<std::string>().find("box 1"),
            std::string::npos);
  EXPECT_EQ(store_->annotations(id).size(), 2u) << "a refused save changed the boxes";
}

TEST_F(LabelsTest, SkipMarksTheImageAndNextMovesOn) {
  auto alice = client(alice_);
  const Json next = json_of(alice.Get("/api/next"));
  const Id id = next["image"]["id"];
  auto res = alice.Post("/api/images/" + std::to_string(id) + "/skip",
                        R"({"version": 0, "comment": "blurry"})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json_of(res)["image"]["status"], "skipped");
  EXPECT_EQ(store_->image(id)->status, ImageStatus::kSkipped);
  EXPECT_NE(json_of(alice.Get("/api/next"))["image"]["id"], id);
  EXPECT_EQ(json_of(alice.Get("/api/stats"))["images"]["skipped"], 1);
}

TEST_F(LabelsTest, PreviousWalksBackThroughTheLabelersOwnSaves) {
  auto alice = client(alice_);
  auto bob = client(bob_);
  const auto images = store_->images();
  const Id a = images[0].id, b = images[1].id, c = images[2].id, d = images[3].id;
  ASSERT_EQ(put_labels(alice, a, 0, two_boxes())->status, 200);
  ASSERT_EQ(put_labels(bob, c, 0, two_boxes())->status, 200);  // not alice's history
  ASSERT_EQ(put_labels(alice, b, 0, two_boxes())->status, 200);

  auto previous = [&](Id before) {
    return json_of(alice.Get("/api/previous?before=" + std::to_string(before)))["image"];
  };
  EXPECT_EQ(previous(d)["id"], b);  // from a fresh image: the last one saved
  EXPECT_EQ(previous(b)["id"], a);
  EXPECT_TRUE(previous(a).is_null());
  const Json back = json_of(alice.Get("/api/previous?before=" + std::to_string(b)));
  EXPECT_EQ(back["annotations"].size(), 2u);
}

TEST_F(LabelsTest, NextReturnsNullWhenEverythingIsDone) {
  auto alice = client(alice_);
  for (const Image& image : store_->images()) {
    ASSERT_EQ(put_labels(alice, image.id, 0, two_boxes())->status, 200);
  }
  const Json next = json_of(alice.Get("/api/next"));
  EXPECT_TRUE(next.contains("image"));
  EXPECT_TRUE(next["image"].is_null());
  EXPECT_EQ(json_of(alice.Get("/api/stats"))["images"]["labeled"], kImageCount);
}

}  // namespace
}  // namespace boxloop::server::testing
