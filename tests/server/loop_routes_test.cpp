// The loop's routes: /api/queue, the `query` of /api/next, /api/loop and /api/loop/run, and the
// `loop` and `queue` events.
#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

#include "core/error.h"
#include "loop/state/rounds.h"
#include "loop/state/settings_change.h"
#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

using namespace std::chrono_literals;

class LoopRoutesTest : public ServerTest {
 protected:
  // A model and a queue over the first four images, most uncertain first.
  Id queue_four() {
    ModelRecord record;
    record.arch = "fastestdet";
    record.weights_path = "models/m.pt";
    const Id model = store_->add_model(record).id;
    const auto images = store_->images();
    std::vector<QueueEntry> entries;
    const double uncertainties[] = {0.9, 0.7, 0.4, 0.1};
    for (int i = 0; i < 4; ++i) {
      entries.push_back(
          QueueEntry{images[static_cast<std::size_t>(3 - i)].id, uncertainties[i], i});
    }
    store_->replace_queue(model, "least_confidence", entries);
    return model;
  }
};

TEST_F(LoopRoutesTest, QueueWithoutAQueueIsAllNull) {
  start_server();
  auto cli = client();
  const auto res = cli.Get("/api/queue");
  ASSERT_EQ(res->status, 200);
  const Json body = json_of(res);
  EXPECT_EQ(body["size"], 0);
  for (const char* key : {"model_id", "strategy", "created_at", "halting"}) {
    EXPECT_TRUE(body.contains(key) && body[key].is_null()) << key;
  }
  const Json next = json_of(cli.Get("/api/next"));
  EXPECT_TRUE(next.contains("query") && next["query"].is_null());
}

TEST_F(LoopRoutesTest, QueueAndNextCarryTheHaltingScale) {
  const Id model = queue_four();
  start_server();
  auto cli = client();
  const Json queue = json_of(cli.Get("/api/queue"));
  EXPECT_EQ(queue["model_id"], model);
  EXPECT_EQ(queue["strategy"], "least_confidence");
  EXPECT_EQ(queue["size"], 4);
  EXPECT_TRUE(queue["created_at"].is_string());
  ASSERT_TRUE(queue["halting"].is_object());
  EXPECT_EQ(queue["halting"]["size"], 4);

  // The first in queue order is the most uncertain: the top of the scale.
  const Json first = json_of(cli.Get("/api/next"));
  ASSERT_TRUE(first["query"].is_object()) << first.dump();
  EXPECT_EQ(first["image"]["id"], store_->images()[3].id);
  EXPECT_EQ(first["query"]["rank"], 0);
  EXPECT_DOUBLE_EQ(first["query"]["uncertainty"].get<double>(), 0.9);
  // The halting scale gives each of the 4 images a quarter; the top one sits mid-quarter.
  EXPECT_DOUBLE_EQ(first["query"]["position"].get<double>(), 3.5 / 4);
  // 0.9 beats a random pick of the four (0.525) by more than twice the tolerance (0.08).
  EXPECT_EQ(first["query"]["zone"], "green");

  const Json second =
      json_of(cli.Get("/api/next?exclude=" + std::to_string(store_->images()[3].id)));
  EXPECT_EQ(second["query"]["rank"], 1);
  EXPECT_DOUBLE_EQ(second["query"]["position"].get<double>(), 2.5 / 4);

  // An image outside the queue has no query; a new queue is seen at once.
  store_->replace_queue(model, "margin", {QueueEntry{store_->images()[5].id, 0.5, 0}});
  EXPECT_EQ(json_of(cli.Get("/api/queue"))["strategy"], "margin");
  const Json other = json_of(cli.Get("/api/next?exclude=" + std::to_string(store_->images()[3].id) +
                                     "," + std::to_string(store_->images()[5].id)));
  ASSERT_TRUE(other["image"].is_object());
  EXPECT_TRUE(other["query"].is_null());
}

// The loop's first batch (loop/first_batch.h): an order without a model or scores to judge.
TEST_F(LoopRoutesTest, AFirstBatchQueueHasNoHaltingScaleButGivesEachImageItsRank) {
  const auto images = store_->images();
  store_->replace_queue(std::nullopt, "typical first batch",
                        {QueueEntry{images[2].id, 0, 0}, QueueEntry{images[0].id, 0, 1}});
  start_server();
  auto cli = client();
  const Json queue = json_of(cli.Get("/api/queue"));
  EXPECT_EQ(queue["strategy"], "typical first batch");
  EXPECT_EQ(queue["size"], 2);
  EXPECT_TRUE(queue["model_id"].is_null());
  EXPECT_TRUE(queue.contains("halting") && queue["halting"].is_null()) << queue.dump();
  const Json first = json_of(cli.Get("/api/next"));
  EXPECT_EQ(first["image"]["id"], images[2].id);
  ASSERT_TRUE(first["query"].is_object()) << first.dump();
  EXPECT_EQ(first["query"]["rank"], 0);
  EXPECT_TRUE(first["query"]["position"].is_null());
  EXPECT_TRUE(first["query"]["zone"].is_null());

  // A checkpoint's queue (no model id either) whose scores differ keeps its scale.
  store_->replace_queue(std::nullopt, "margin",
                        {QueueEntry{images[2].id, 0.9, 0}, QueueEntry{images[0].id, 0.1, 1}});
  EXPECT_TRUE(json_of(cli.Get("/api/queue"))["halting"].is_object());
}

TEST_F(LoopRoutesTest, LoopStateAndSettings) {
  start_server();
  auto cli = client();
  Json loop = json_of(cli.Get("/api/loop"));
  for (const char* key : {"enabled", "every", "strategy", "strategies", "labels_since_round",
                          "next_round_in", "state", "job", "models"}) {
    EXPECT_TRUE(loop.contains(key)) << key;
  }
  EXPECT_EQ(loop["state"], "idle");
  EXPECT_TRUE(loop["job"].is_null());
  EXPECT_EQ(loop["next_round_in"], loop["every"]);
  const auto& strategies = loop["strategies"];
  EXPECT_NE(std::find(strategies.begin(), strategies.end(), "random"), strategies.end());

  const Json boxes = Json::array(
      {Json{{"category_id", category_id("ten")}, {"x", 1}, {"y", 2}, {"w", 20}, {"h", 30}}});
  ASSERT_EQ(put_labels(cli, store_->images()[0].id, 0, boxes)->status, 200);
  auto res = cli.Put("/api/loop", R"({"every": 5, "strategy": "margin", "enabled": false})",
                     "application/json");
  ASSERT_EQ(res->status, 200) << res->body;
  loop = json_of(res);
  EXPECT_EQ(loop["every"], 5);
  EXPECT_EQ(loop["strategy"], "margin");
  EXPECT_EQ(loop["enabled"], false);
  EXPECT_EQ(loop["labels_since_round"], 1);
  EXPECT_EQ(loop["next_round_in"], 4);

  res = cli.Put("/api/loop", R"({"every": 0})", "application/json");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(json_of(res)["error"]["message"].get<std::string>().find("every"), std::string::npos);
  res = cli.Put("/api/loop", R"({"strategy": "most_wanted"})", "application/json");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(json_of(res)["error"]["message"].get<std::string>().find("strategy"),
            std::string::npos);
  EXPECT_EQ(json_of(cli.Get("/api/loop"))["every"], 5) << "a refused change wrote something";
}

// PATCH /api/project/settings and PUT /api/loop change the settings through one function, with
// the checks the loop's rounds read them with: the same refusal from either route, and a train
// option refused in the words a round reading it would fail with.
TEST_F(LoopRoutesTest, BothSettingsRoutesAndTheRoundsShareOneCheck) {
  start_server();
  auto cli = client();
  const Json before = data_snapshot();
  const auto message_of = [&](const httplib::Result& res) {
    EXPECT_TRUE(res);
    if (!res) return std::string();
    EXPECT_EQ(res->status, 400) << res->body;
    return json_of(res)["error"]["message"].get<std::string>();
  };

  for (const char* body : {R"({"strategy": "most_wanted"})", R"({"strategy": "margin:mean@2"})",
                           R"({"strategy": 5})"}) {
    const std::string patched =
        message_of(cli.Patch("/api/project/settings", body, "application/json"));
    EXPECT_NE(patched.find("strategy"), std::string::npos) << patched;
    EXPECT_EQ(message_of(cli.Put("/api/loop", body, "application/json")), patched) << body;
  }

  for (const Json& train : {Json{{"epochs", 0}}, Json{{"lr", "fast"}}, Json{{"epochz", 3}}}) {
    ProjectSettings bad;
    bad.train = train;
    std::string round_message;
    try {
      loop::read_train_settings(bad);
    } catch (const Error& e) {
      round_message = e.what();
    }
    ASSERT_FALSE(round_message.empty()) << train.dump();
    EXPECT_EQ(message_of(cli.Patch("/api/project/settings", Json{{"train", train}}.dump(),
                                   "application/json")),
              round_message);
  }
  EXPECT_EQ(data_snapshot(), before) << "a refused change wrote something";
}

TEST_F(LoopRoutesTest, RunQueuesOneRound) {
  start_server();
  auto cli = client();
  auto res = cli.Post("/api/loop/run", "", "application/json");
  ASSERT_EQ(res->status, 202) << res->body;
  const Json job = json_of(res)["job"];
  EXPECT_EQ(job["kind"], "train");
  EXPECT_EQ(job["state"], "queued");
  res = cli.Post("/api/loop/run", "", "application/json");
  EXPECT_EQ(res->status, 409);
  const Json loop = json_of(cli.Get("/api/loop"));
  EXPECT_EQ(loop["state"], "queued");
  EXPECT_EQ(loop["job"]["id"], job["id"]);
}

TEST_F(LoopRoutesTest, LabelersMayReadButNotChangeTheLoop) {
  const std::string admin = store_->add_user("ada", UserRole::kAdmin);
  const std::string labeler = store_->add_user("lee", UserRole::kLabeler);
  start_server();
  auto anonymous = client();
  for (const char* path : {"/api/queue", "/api/loop"}) {
    EXPECT_EQ(anonymous.Get(path)->status, 401) << path;
  }
  EXPECT_EQ(anonymous.Put("/api/loop", "{}", "application/json")->status, 401);
  EXPECT_EQ(anonymous.Post("/api/loop/run", "", "application/json")->status, 401);

  auto lee = client(labeler);
  EXPECT_EQ(lee.Get("/api/queue")->status, 200);
  EXPECT_EQ(lee.Get("/api/loop")->status, 200);
  EXPECT_EQ(lee.Put("/api/loop", R"({"every": 2})", "application/json")->status, 403);
  EXPECT_EQ(lee.Post("/api/loop/run", "", "application/json")->status, 403);
  EXPECT_TRUE(store_->jobs().empty());

  auto ada = client(admin);
  EXPECT_EQ(ada.Put("/api/loop", R"({"every": 2})", "application/json")->status, 200);
  EXPECT_EQ(ada.Post("/api/loop/run", "", "application/json")->status, 202);
}

// Reads the event stream until `needle` arrived, or the time is up.
std::string read_events_until(httplib::Client client, const std::string& path,
                              const std::string& needle, const std::function<void()>& act) {
  std::string text;
  std::atomic<bool> connected = false;
  std::thread reader([&] {
    client.Get(path, [&](const char* data, std::size_t size) {
      connected = true;
      text.append(data, size);
      const auto at = text.find(needle);
      return at == std::string::npos || text.find("\n\n", at) == std::string::npos;
    });
  });
  for (int i = 0; i < 500 && !connected; ++i) std::this_thread::sleep_for(10ms);
  act();
  reader.join();
  return text;
}

std::string event_data(const std::string& text, const std::string& type) {
  const auto at = text.find("event: " + type + "\n");
  if (at == std::string::npos) return "";
  const auto start = text.find("data: ", at) + 6;
  return text.substr(start, text.find('\n', start) - start);
}

TEST_F(LoopRoutesTest, EventsTellPagesAboutTheLoopAndANewQueue) {
  ServerOptions options;
  options.watch_interval = 50ms;
  start_server(options);
  auto cli = client();
  std::string text = read_events_until(client(), "/api/events", "event: loop", [&] {
    ASSERT_EQ(cli.Put("/api/loop", R"({"every": 9})", "application/json")->status, 200);
  });
  const Json loop = Json::parse(event_data(text, "loop"));
  EXPECT_EQ(loop["every"], 9);
  EXPECT_EQ(loop["state"], "idle");

  text = read_events_until(client(), "/api/events", "event: queue", [&] { queue_four(); });
  const Json queue = Json::parse(event_data(text, "queue"));
  EXPECT_EQ(queue["size"], 4);
  EXPECT_EQ(queue["message"], "New queue from model " +
                                  std::to_string(queue["model_id"].get<Id>()) +
                                  " (least_confidence)");
}

}  // namespace
}  // namespace boxloop::server::testing

namespace boxloop::server::testing {
namespace {

class CurveRouteTest : public ServerTest {};

TEST_F(CurveRouteTest, RoundsCarryTheAuditScoreAndAgreementAndTheStopSignal) {
  const auto images = store_->images();
  store_->set_audit(images[0].id, true);
  LabelSave save;
  save.image_id = images[0].id;
  save.labeler = "ann";
  Annotation a;
  a.category_id = category_id(store_->categories()[0].name);
  a.box = Box{10, 10, 30, 30};
  save.boxes = {a, a};
  store_->save_labels(save);
  ModelRecord first;
  first.arch = "fastestdet";
  first.weights_path = "models/a.pt";
  first.trained_on = 20;
  first.metrics = Json{{"labeled_images", 22}, {"labeled_boxes", 50}, {"audit", nullptr}};
  const Id first_id = store_->add_model(first).id;
  ModelRecord second = first;
  second.weights_path = "models/b.pt";
  second.metrics =
      Json{{"labeled_images", 42},
           {"labeled_boxes", 90},
           {"audit",
            {{"images", 1},
             {"boxes", 2},
             {"map50", 0.6},
             {"map50_low", 0.4},
             {"map50_high", 0.8},
             {"map", 0.3},
             {"map_low", 0.2},
             {"map_high", 0.4}}},
           {"agreement", {{"f1", 0.95}, {"sample", 200}, {"previous_model_id", first_id}}}};
  const Id second_id = store_->add_model(second).id;
  start_server();
  auto cli = client();
  const auto res = cli.Get("/api/loop/curve");
  ASSERT_EQ(res->status, 200);
  const Json body = json_of(res);
  EXPECT_EQ(body["audit"]["images"], 1);
  EXPECT_EQ(body["audit"]["boxes"], 2);
  EXPECT_TRUE(body["note"].is_null());
  ASSERT_EQ(body["rounds"].size(), 2u);
  EXPECT_EQ(body["rounds"][0]["model_id"], first_id);
  EXPECT_TRUE(body["rounds"][0]["audit"].is_null());
  EXPECT_TRUE(body["rounds"][0]["agreement"].is_null());
  EXPECT_EQ(body["rounds"][1]["model_id"], second_id);
  EXPECT_EQ(body["rounds"][1]["labeled_boxes"], 90);
  EXPECT_DOUBLE_EQ(body["rounds"][1]["audit"]["map50_high"].get<double>(), 0.8);
  EXPECT_EQ(body["rounds"][1]["agreement"]["previous_model_id"], first_id);
  EXPECT_EQ(body["stop"]["rounds_above"], 1);
  EXPECT_FALSE(body["stop"]["stopped_changing"].get<bool>());
  EXPECT_FALSE(body["stop"]["message"].get<std::string>().empty());
}

TEST_F(CurveRouteTest, AProjectImportedFullyLabeledSaysItHasNoAuditSet) {
  for (const Image& image : store_->images()) {
    LabelSave save;
    save.image_id = image.id;
    save.labeler = "import";
    store_->save_labels(save);
  }
  start_server();
  auto cli = client();
  const Json body = json_of(cli.Get("/api/loop/curve"));
  EXPECT_EQ(body["audit"]["images"], 0);
  ASSERT_TRUE(body["note"].is_string());
  EXPECT_NE(body["note"].get<std::string>().find("imported already labeled"), std::string::npos);
  EXPECT_TRUE(body["rounds"].empty());
}

}  // namespace
}  // namespace boxloop::server::testing
