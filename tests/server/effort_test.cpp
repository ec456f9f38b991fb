// Proposals in /api/next and /api/images/{id}, the effort a save records, /api/stats' effort and
// the proposal_threshold setting (issue 14), through the typed request layer and over HTTP.
#include "core/error.h"
#include "loop/state/proposals.h"
#include "server/label_request.h"
#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

// --- the request layer ---------------------------------------------------------------------

class EffortRequestTest : public ::testing::Test {
 protected:
  Image image_{7, "a.png", "", 100, 80, "", ImageStatus::kUnlabeled, 3};
  std::vector<Category> categories_{{1, "nine", "1", "#000000", 0}, {2, "ten", "2", "#ffffff", 1}};

  LabelSave parse(const std::string& text) {
    return parse_label_save(Json::parse(text), image_, categories_, "ann");
  }

  std::string refusal(const std::string& text) {
    try {
      parse(text);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      return e.what();
    }
    ADD_FAILURE() << "accepted " << text;
    return "";
  }
};

TEST_F(EffortRequestTest, ReadsOriginsAndEffort) {
  const LabelSave save = parse(R"({"version": 3, "boxes": [
      {"category_id": 1, "x": 1, "y": 2, "w": 3, "h": 4},
      {"category_id": 2, "x": 5, "y": 6, "w": 7, "h": 8, "origin": "accepted", "source": "model",
       "score": 0.8},
      {"category_id": 1, "x": 9, "y": 9, "w": 5, "h": 5, "origin": "adjusted"},
      {"category_id": 1, "x": 9, "y": 9, "w": 5, "h": 5, "origin": "drawn"}],
      "effort": {"active_seconds": 12.5, "rejected": 2}})");
  ASSERT_EQ(save.boxes.size(), 4u);
  EXPECT_EQ(save.boxes[0].origin, BoxOrigin::kDrawn);  // the default
  EXPECT_EQ(save.boxes[1].origin, BoxOrigin::kAccepted);
  EXPECT_EQ(save.boxes[2].origin, BoxOrigin::kAdjusted);
  EXPECT_EQ(save.boxes[3].origin, BoxOrigin::kDrawn);
  EXPECT_EQ(save.active_seconds, 12.5);
  EXPECT_EQ(save.rejected, 2);

  const LabelSave plain = parse(R"({"version": 3, "boxes": []})");
  EXPECT_FALSE(plain.active_seconds);
  EXPECT_EQ(plain.rejected, 0);
  const LabelSave no_rejects =
      parse(R"({"version": 3, "boxes": [], "effort": {"active_seconds": 0}})");
  EXPECT_EQ(no_rejects.active_seconds, 0);
  EXPECT_EQ(no_rejects.rejected, 0);
  // A skip may say what it cost too.
  const LabelSave skip =
      parse_skip(Json::parse(R"({"version": 3, "effort": {"active_seconds": 4, "rejected": 1}})"),
                 image_, "ann");
  EXPECT_EQ(skip.active_seconds, 4);
  EXPECT_EQ(skip.rejected, 1);
}

TEST_F(EffortRequestTest, WrongTypesAndRangesAreRefusedNamingTheField) {
  const std::string box = R"({"category_id": 1, "x": 1, "y": 2, "w": 3, "h": 4)";
  const struct {
    std::string body;
    std::string part;
  } cases[] = {
      {R"({"version": 3, "boxes": [)" + box + R"(, "origin": "model"}]})", "box 0: 'origin'"},
      {R"({"version": 3, "boxes": [)" + box + R"(, "origin": 1}]})", "box 0: 'origin' must be"},
      {R"({"version": 3, "boxes": [], "effort": 5})", "'effort' must be an object"},
      {R"({"version": 3, "boxes": [], "effort": {}})", "effort: 'active_seconds' is missing"},
      {R"({"version": 3, "boxes": [], "effort": {"active_seconds": -1}})",
       "effort: 'active_seconds' must be a number in [0, 86400]"},
      {R"({"version": 3, "boxes": [], "effort": {"active_seconds": 86401}})",
       "effort: 'active_seconds' must be a number in [0, 86400]"},
      {R"({"version": 3, "boxes": [], "effort": {"active_seconds": "5"}})",
       "effort: 'active_seconds' must be a number"},
      {R"({"version": 3, "boxes": [], "effort": {"active_seconds": 5, "rejected": -1}})",
       "effort: 'rejected' must be an integer in [0, 2000]"},
      {R"({"version": 3, "boxes": [], "effort": {"active_seconds": 5, "rejected": 2001}})",
       "effort: 'rejected' must be an integer in [0, 2000]"},
      {R"({"version": 3, "boxes": [], "effort": {"active_seconds": 5, "rejected": 1.5}})",
       "effort: 'rejected' must be an integer"},
      {R"({"version": 3, "boxes": [], "effort": {"active_seconds": 5, "idle": 3}})",
       "effort: unknown key 'idle'"},
  };
  for (const auto& c : cases) {
    const std::string message = refusal(c.body);
    EXPECT_NE(message.find(c.part), std::string::npos) << c.body << " -> " << message;
  }
}

// --- over HTTP -----------------------------------------------------------------------------

class EffortRoutesTest : public ServerTestWithUsers {
 protected:
  // A model whose queue holds every image, the first first, with proposals of the given scores
  // on the first image (one per score, spread along x) and one of 0.9 on the second.
  Id publish(const std::vector<double>& scores, Json metrics = Json::object()) {
    ModelRecord record;
    record.arch = "fastestdet";
    record.weights_path = "models/m.pt";
    record.metrics = std::move(metrics);
    const Id model = store_->add_model(record).id;
    const auto images = store_->images();
    std::vector<QueueEntry> queue;
    for (std::size_t i = 0; i < images.size(); ++i) {
      queue.push_back(QueueEntry{images[i].id, 1.0 - 0.1 * static_cast<double>(i), 0});
    }
    std::vector<Proposal> proposals;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      Proposal p;
      p.image_id = images[0].id;
      p.category_id = category_id(i % 2 == 0 ? "queen" : "ace");
      p.box = Box{5.0 + 20.0 * static_cast<double>(i), 10, 15, 20};
      p.score = scores[i];
      proposals.push_back(p);
    }
    Proposal second;
    second.image_id = images[1].id;
    second.category_id = category_id("king");
    second.box = Box{1, 2, 30, 40};
    second.score = 0.9;
    proposals.push_back(second);
    store_->replace_queue(model, "least_confidence", queue, proposals);
    return model;
  }

  std::vector<double> scores_of(const Json& answer) {
    std::vector<double> scores;
    for (const Json& p : answer["proposals"]) scores.push_back(p["score"].get<double>());
    return scores;
  }
};

TEST_F(EffortRoutesTest, NextAndImageCarryTheQueueModelsProposalsWhileUnlabeled) {
  start_server();
  auto alice = client(alice_);
  // No model yet: an empty list and null.
  Json next = json_of(alice.Get("/api/next"));
  ASSERT_TRUE(next["proposals"].is_array());
  EXPECT_TRUE(next["proposals"].empty());
  EXPECT_TRUE(next.contains("proposal_model_id") && next["proposal_model_id"].is_null());
  store_->release_leases("alice");

  // The model chose 0.3: proposals from 0.3 up, best first, in pixels of the image.
  loop::ProposalThreshold chosen;
  chosen.threshold = 0.3;
  const Id model =
      publish({0.2, 0.95, 0.3, 0.6}, Json{{loop::kProposalMetricsKey, loop::to_json(chosen)}});
  next = json_of(alice.Get("/api/next"));
  const Id first = store_->images()[0].id;
  ASSERT_EQ(next["image"]["id"], first);
  EXPECT_EQ(next["proposal_model_id"], model);
  EXPECT_EQ(scores_of(next), (std::vector<double>{0.95, 0.6, 0.3}));
  const Json& top = next["proposals"][0];
  EXPECT_EQ(top["category_id"], category_id("ace"));
  EXPECT_EQ(top["x"], 25.0);
  EXPECT_EQ(top["y"], 10.0);
  EXPECT_EQ(top["w"], 15.0);
  EXPECT_EQ(top["h"], 20.0);
  EXPECT_TRUE(next["annotations"].empty()) << "proposals are not boxes";

  const Json image = json_of(alice.Get("/api/images/" + std::to_string(first)));
  EXPECT_EQ(scores_of(image), (std::vector<double>{0.95, 0.6, 0.3}));
  EXPECT_EQ(image["proposal_model_id"], model);

  // Once labeled they are gone; the other image keeps its own.
  ASSERT_EQ(put_labels(alice, first, 0, Json::array())->status, 200);
  const Json after = json_of(alice.Get("/api/images/" + std::to_string(first)));
  EXPECT_TRUE(after["proposals"].empty());
  EXPECT_TRUE(after["proposal_model_id"].is_null());
  const Json other = json_of(alice.Get("/api/images/" + std::to_string(store_->images()[1].id)));
  EXPECT_EQ(scores_of(other), (std::vector<double>{0.9}));
}

TEST_F(EffortRoutesTest, TheAdminsThresholdOverridesTheModelsAndNullRestoresIt) {
  start_server();
  publish({0.2, 0.95, 0.3, 0.6});  // no recorded choice: the fallback 0.5
  auto admin = client(admin_);
  const std::string first = "/api/images/" + std::to_string(store_->images()[0].id);
  EXPECT_EQ(scores_of(json_of(admin.Get(first))), (std::vector<double>{0.95, 0.6}));

  auto set = [&](const std::string& body) {
    return admin.Patch("/api/project/settings", body, "application/json");
  };
  auto res = set(R"({"proposal_threshold": 0.25})");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json_of(res)["proposal_threshold"], 0.25);
  EXPECT_EQ(scores_of(json_of(admin.Get(first))), (std::vector<double>{0.95, 0.6, 0.3}));

  const Json before = data_snapshot();
  for (const char* bad : {R"({"proposal_threshold": 1.5})", R"({"proposal_threshold": -0.5})",
                          R"({"proposal_threshold": "auto"})"}) {
    auto refused = set(bad);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad;
    EXPECT_NE(json_of(refused)["error"]["message"].get<std::string>().find("proposal_threshold"),
              std::string::npos)
        << refused->body;
  }
  EXPECT_EQ(data_snapshot(), before);
  // A labeler may not change it.
  EXPECT_EQ(
      client(alice_)
          .Patch("/api/project/settings", R"({"proposal_threshold": 0.1})", "application/json")
          ->status,
      403);

  ASSERT_EQ(set(R"({"proposal_threshold": null})")->status, 200);
  EXPECT_TRUE(json_of(admin.Get("/api/project"))["settings"]["proposal_threshold"].is_null());
  EXPECT_EQ(scores_of(json_of(admin.Get(first))), (std::vector<double>{0.95, 0.6}));
}

TEST_F(EffortRoutesTest, ASaveStoresOriginsAndEffortAndAnswersThem) {
  const Id model = publish({0.9});
  start_server();
  auto alice = client(alice_);
  const Id id = store_->images()[0].id;
  const Json body = Json::parse(R"({"version": 0, "boxes": [
      {"category_id": )" + std::to_string(category_id("queen")) +
                                R"(, "x": 5, "y": 10, "w": 15, "h": 20, "origin": "accepted",
       "source": "model", "score": 0.9},
      {"category_id": )" + std::to_string(category_id("ace")) +
                                R"(, "x": 40, "y": 10, "w": 15, "h": 20, "origin": "adjusted"},
      {"category_id": )" + std::to_string(category_id("ace")) +
                                R"(, "x": 80, "y": 10, "w": 15, "h": 20}],
      "effort": {"active_seconds": 17.5, "rejected": 2}})");
  auto res =
      alice.Put("/api/images/" + std::to_string(id) + "/labels", body.dump(), "application/json");
  ASSERT_EQ(res->status, 200) << res->body;
  const Json answer = json_of(res);
  ASSERT_EQ(answer["annotations"].size(), 3u);
  EXPECT_EQ(answer["annotations"][0]["origin"], "accepted");
  EXPECT_EQ(answer["annotations"][1]["origin"], "adjusted");
  EXPECT_EQ(answer["annotations"][2]["origin"], "drawn");
  const Json& event = answer["event"];
  EXPECT_EQ(event["active_seconds"], 17.5);
  EXPECT_EQ(event["drawn"], 1);
  EXPECT_EQ(event["accepted"], 1);
  EXPECT_EQ(event["adjusted"], 1);
  EXPECT_EQ(event["rejected"], 2);
  EXPECT_EQ(event["model_id"], model);

  const LabelEvent stored = store_->label_events(id).at(0);
  EXPECT_EQ(stored.effort.accepted, 1);
  EXPECT_EQ(stored.effort.rejected, 2);
  EXPECT_EQ(stored.effort.active_seconds, 17.5);
  const Json got = json_of(alice.Get("/api/images/" + std::to_string(id)));
  EXPECT_EQ(got["events"][0]["accepted"], 1);
  EXPECT_EQ(got["events"][0]["active_seconds"], 17.5);
  EXPECT_EQ(got["annotations"][1]["origin"], "adjusted");

  // A save without effort records the counts but no time.
  const Id second = store_->images()[1].id;
  const Json plain = json_of(put_labels(alice, second, 0, Json::array()));
  EXPECT_TRUE(plain["event"]["active_seconds"].is_null());
  EXPECT_EQ(plain["event"]["drawn"], 0);
}

TEST_F(EffortRoutesTest, OutOfRangeEffortIs400AndWritesNothing) {
  start_server();
  auto alice = client(alice_);
  const Id id = store_->images()[0].id;
  const std::string path = "/api/images/" + std::to_string(id) + "/labels";
  const Json before = data_snapshot();
  for (const char* effort : {R"({"active_seconds": 90000})", R"({"active_seconds": -3})",
                             R"({"active_seconds": 3, "rejected": 5000})",
                             R"({"active_seconds": 3, "rejected": "two"})"}) {
    const std::string body =
        std::string(R"({"version": 0, "boxes": [], "effort": )") + effort + "}";
    auto res = alice.Put(path, body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body;
    EXPECT_NE(json_of(res)["error"]["message"].get<std::string>().find("effort: '"),
              std::string::npos)
        << res->body;
  }
  auto skip =
      alice.Post("/api/images/" + std::to_string(id) + "/skip",
                 R"({"version": 0, "effort": {"active_seconds": 1e9}})", "application/json");
  EXPECT_EQ(skip->status, 400);
  EXPECT_EQ(data_snapshot(), before);
}

TEST_F(EffortRoutesTest, StatsReportEffortPerLabelerAndRound) {
  start_server();
  auto alice = client(alice_);
  auto bob = client(bob_);
  const auto images = store_->images();
  const Id queen = category_id("queen");
  const auto box = [&](const char* origin) {
    return Json{{"category_id", queen}, {"x", 5}, {"y", 5}, {"w", 10}, {"h", 10},
                {"origin", origin}};
  };
  const auto save = [&](httplib::Client& cli, Id image, const Json& boxes, double seconds) {
    const Json body{{"version", 0}, {"boxes", boxes}, {"effort", {{"active_seconds", seconds}}}};
    return cli.Put("/api/images/" + std::to_string(image) + "/labels", body.dump(),
                   "application/json");
  };
  // Before a model: alice draws two boxes in 20 s.
  ASSERT_EQ(save(alice, images[0].id, Json::array({box("drawn"), box("drawn")}), 20)->status, 200);
  // Model rounds: alice keeps two proposals and adjusts one in 9 s, bob keeps one in 3 s.
  const Id model = publish({0.9});
  ASSERT_EQ(
      save(alice, images[2].id, Json::array({box("accepted"), box("accepted"), box("adjusted")}), 9)
          ->status,
      200);
  ASSERT_EQ(save(bob, images[3].id, Json::array({box("accepted")}), 3)->status, 200);
  // A save that measured nothing does not count.
  ASSERT_EQ(put_labels(bob, images[4].id, 0, Json::array({box("drawn")}))->status, 200);

  const Json stats = json_of(alice.Get("/api/stats"));
  EXPECT_EQ(stats["images"]["labeled"], 4);  // the counts are still there
  const Json& per_labeler = stats["effort"]["per_labeler"];
  ASSERT_EQ(per_labeler.size(), 2u);
  EXPECT_EQ(per_labeler[0]["labeler"], "alice");
  EXPECT_EQ(per_labeler[0]["images"], 2);
  EXPECT_EQ(per_labeler[0]["boxes"], 5);
  EXPECT_EQ(per_labeler[0]["active_seconds"], 29.0);
  EXPECT_DOUBLE_EQ(per_labeler[0]["seconds_per_image"].get<double>(), 14.5);
  EXPECT_DOUBLE_EQ(per_labeler[0]["seconds_per_box"].get<double>(), 29.0 / 5);
  EXPECT_DOUBLE_EQ(per_labeler[0]["accepted_share"].get<double>(), 2.0 / 5);
  EXPECT_EQ(per_labeler[1]["labeler"], "bob");
  EXPECT_EQ(per_labeler[1]["images"], 1);
  EXPECT_DOUBLE_EQ(per_labeler[1]["accepted_share"].get<double>(), 1.0);

  const Json& per_round = stats["effort"]["per_round"];
  ASSERT_EQ(per_round.size(), 2u);
  EXPECT_TRUE(per_round[0]["model_id"].is_null());
  EXPECT_EQ(per_round[0]["images"], 1);
  EXPECT_DOUBLE_EQ(per_round[0]["seconds_per_box"].get<double>(), 10);
  EXPECT_EQ(per_round[0]["accepted_share"], 0.0);
  EXPECT_EQ(per_round[1]["model_id"], model);
  EXPECT_EQ(per_round[1]["images"], 2);
  EXPECT_EQ(per_round[1]["boxes"], 4);
  EXPECT_DOUBLE_EQ(per_round[1]["seconds_per_image"].get<double>(), 6);
  EXPECT_DOUBLE_EQ(per_round[1]["seconds_per_box"].get<double>(), 3);
  EXPECT_DOUBLE_EQ(per_round[1]["accepted_share"].get<double>(), 3.0 / 4);
}

}  // namespace
}  // namespace boxloop::server::testing
