#include <atomic>
#include <chrono>
#include <thread>

#include "server/event_bus.h"
#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

using namespace std::chrono_literals;

// Reads /api/events on a thread until `stop_when` holds for what arrived so far.
class EventReader {
 public:
  EventReader(httplib::Client client, std::string path,
              std::function<bool(const std::string&)> stop_when)
      : client_(std::move(client)) {
    thread_ = std::thread([this, path, stop_when] {
      auto res = client_.Get(path, [&](const char* data, std::size_t size) {
        std::lock_guard lock(mutex_);
        text_.append(data, size);
        return !stop_when(text_);
      });
      done_ = true;
    });
  }
  ~EventReader() { thread_.join(); }
  bool wait_done(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!done_ && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(10ms);
    return done_;
  }
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  httplib::Client client_;
  std::mutex mutex_;
  std::string text_;
  std::atomic<bool> done_ = false;
  std::thread thread_;
};

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST_F(ServerTest, SubscriberReceivesCountsAfterASave) {
  start_server();
  EventReader reader(client(), "/api/events", [](const std::string& text) {
    return text.find("event: counts") != std::string::npos &&
           text.find("\n\n", text.find("event: counts")) != std::string::npos;
  });
  ASSERT_TRUE(wait_for([&] { return server_->events().subscriber_count() == 1; }, 5s));
  auto cli = client();
  const Json boxes = Json::array(
      {Json{{"category_id", category_id("ten")}, {"x", 1}, {"y", 2}, {"w", 20}, {"h", 30}}});
  ASSERT_EQ(put_labels(cli, store_->images().at(0).id, 0, boxes)->status, 200);
  ASSERT_TRUE(reader.wait_done(5s)) << reader.text();

  const std::string text = reader.text();
  const auto start = text.find("data: ", text.find("event: counts"));
  ASSERT_NE(start, std::string::npos);
  const Json data = Json::parse(text.substr(start + 6, text.find('\n', start) - start - 6));
  EXPECT_EQ(data["counts"]["images"]["labeled"], 1);
  // The client left: its subscription goes once the server notices (at the latest on a ping).
}

TEST_F(ServerTest, StreamPingsAndUnsubscribesWhenTheClientLeaves) {
  ServerOptions options;
  options.sse_ping_interval = 100ms;
  start_server(options);
  {
    EventReader reader(client(), "/api/events", [](const std::string& text) {
      return text.find(": ping") != std::string::npos;
    });
    ASSERT_TRUE(reader.wait_done(5s)) << reader.text();
  }
  EXPECT_TRUE(wait_for([&] { return server_->events().subscriber_count() == 0; }, 5s));
}

TEST_F(ServerTest, JobChangesReachTheStream) {
  ServerOptions options;
  options.watch_interval = 50ms;
  start_server(options);
  EventReader reader(client(), "/api/events", [](const std::string& text) {
    return text.find("\"state\":\"running\"") != std::string::npos;
  });
  ASSERT_TRUE(wait_for([&] { return server_->events().subscriber_count() == 1; }, 5s));
  const Job job = store_->create_job(JobKind::kTrain, Json::object());
  ASSERT_TRUE(store_->claim_next_job({JobKind::kTrain}));
  ASSERT_TRUE(reader.wait_done(5s)) << reader.text();
  EXPECT_NE(reader.text().find("event: job"), std::string::npos);
  EXPECT_NE(reader.text().find("\"id\":" + std::to_string(job.id)), std::string::npos);
}

TEST_F(ServerTest, StopDoesNotWaitForOpenStreams) {
  start_server();
  EventReader reader(client(), "/api/events", [](const std::string&) { return false; });
  ASSERT_TRUE(wait_for([&] { return server_->events().subscriber_count() == 1; }, 5s));
  const auto begin = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
  EXPECT_TRUE(reader.wait_done(5s));
}

TEST_F(ServerTest, EventStreamNeedsATokenOnceUsersExistAndTakesItFromTheQuery) {
  const std::string token = store_->add_user("eve", UserRole::kLabeler);
  start_server();
  auto refused = client().Get("/api/events");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);

  EventReader reader(client(), "/api/events?token=" + token, [](const std::string& text) {
    return text.find(": connected") != std::string::npos;
  });
  ASSERT_TRUE(reader.wait_done(5s));
  EXPECT_NE(reader.text().find(": connected"), std::string::npos) << reader.text();
}

TEST(EventBusTest, SlowSubscriberKeepsOnlyTheNewestEvents) {
  EventBus bus;
  auto subscriber = bus.subscribe();
  for (std::size_t i = 0; i < Subscriber::kMaxQueued + 10; ++i) {
    bus.publish(ServerEvent{"counts", Json{{"i", i}}});
  }
  const auto events = subscriber->wait(0ms);
  ASSERT_EQ(events.size(), Subscriber::kMaxQueued);
  EXPECT_EQ(events.front().data["i"], 10);
  EXPECT_EQ(format_sse(events.front()), "event: counts\ndata: {\"i\":10}\n\n");
  bus.unsubscribe(subscriber);
  EXPECT_EQ(bus.subscriber_count(), 0u);
}

TEST(EventBusTest, CloseWakesAWaitingSubscriber) {
  EventBus bus;
  auto subscriber = bus.subscribe();
  std::thread closer([&] {
    std::this_thread::sleep_for(50ms);
    bus.close();
  });
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(subscriber->wait(10s).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
  EXPECT_TRUE(subscriber->closed());
  EXPECT_TRUE(bus.subscribe()->closed());
  closer.join();
}

}  // namespace
}  // namespace boxloop::server::testing
