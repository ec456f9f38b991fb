// The change feed (store/change_feed.h): on PostgreSQL a committed save reaches the feeds of other
// processes' stores, a refused one does not; SQLite has no feed.
#include "store/change_feed.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "store_fixture.h"

namespace boxloop::testing {
namespace {

using namespace std::chrono_literals;

// What a feed delivered, waited for from the test's thread.
class Received {
 public:
  void add(const std::string& what) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(what);
    }
    cv_.notify_all();
  }
  // Waits up to `timeout` for at least `count` items; returns what arrived.
  std::vector<std::string> wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return items_.size() >= count; });
    return items_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> items_;
};

TEST_P(StoreTest, CommittedSavesReachOtherProcessesFeedsOnPostgres) {
  Received received;
  if (!on_postgres()) {
    EXPECT_EQ(store().watch_changes([&](const std::string& what) { received.add(what); }), nullptr);
    return;
  }
  const Image image = add_image(1);
  // Another process's store on the same database listens.
  auto other = Store::open(project_dir(), store_options());
  auto feed = other->watch_changes([&](const std::string& what) { received.add(what); });
  ASSERT_NE(feed, nullptr);
  store().save_labels(save_of(image, {box("nine", 1, 1, 5, 5)}));
  EXPECT_EQ(received.wait_for(1, 10s), std::vector<std::string>{kLabelsChanged});
  // A refused save (stale version) rolls back, its notification with it.
  expect_error(ErrorCode::kConflict,
               [&] { store().save_labels(save_of(image, {box("ten", 1, 1, 5, 5)})); });
  store().save_labels(save_of(*store().image(image.id), {box("ten", 1, 1, 5, 5)}));
  EXPECT_EQ(received.wait_for(2, 10s).size(), 2u);
  EXPECT_EQ(received.wait_for(3, 300ms).size(), 2u);
}

}  // namespace
}  // namespace boxloop::testing
