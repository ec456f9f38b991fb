// The store's connections (store/connections.h): reads on a pool never wait for a write, a call
// inside a write runs in that write's transaction, and a database another process keeps locked
// past the busy timeout is kBusy with nothing written.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "store/database.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

using namespace std::chrono_literals;

TEST_P(StoreTest, ReadsDoNotWaitForAnOpenWrite) {
  const Image image = add_image(1);
  std::promise<void> inside;
  std::promise<void> finish;
  std::thread writer([&] {
    store().batch([&] {
      store().save_labels(save_of(image, {box("nine", 1, 1, 5, 5)}));
      // Inside the batch this thread reads its own uncommitted save.
      EXPECT_EQ(store().image(image.id)->status, ImageStatus::kLabeled);
      inside.set_value();
      finish.get_future().wait();
    });
  });
  inside.get_future().wait();
  // The write holds the write connection and has not committed: other threads read at once,
  // from the last commit.
  auto read = std::async(std::launch::async, [&] {
    return std::make_pair(store().image(image.id)->status, store().annotations(image.id).size());
  });
  const bool answered = read.wait_for(10s) == std::future_status::ready;
  finish.set_value();
  writer.join();
  ASSERT_TRUE(answered) << "a read waited for the write";
  EXPECT_EQ(read.get(), std::make_pair(ImageStatus::kUnlabeled, std::size_t{0}));
  EXPECT_EQ(store().image(image.id)->status, ImageStatus::kLabeled);
  EXPECT_EQ(store().annotations(image.id).size(), 1u);
}

// On PostgreSQL a labeler's next and save run on writers of their own (write_locking_rows): a
// long write of the same process (a batch, a queue being replaced) does not hold them up.
TEST_P(StoreTest, OnPostgresANextAndASaveDoNotWaitForAnotherWriteOfTheProcess) {
  if (!on_postgres()) GTEST_SKIP() << "PostgreSQL only: SQLite has one writer at a time";
  const Image image = add_image(1);
  const Id nine = category_id("nine");
  std::promise<void> inside;
  std::promise<void> finish;
  std::thread writer([&] {
    store().batch([&] {
      add_image(2);
      inside.set_value();
      finish.get_future().wait();
    });
  });
  inside.get_future().wait();
  auto labeling = std::async(std::launch::async, [&] {
    const auto next = store().next_image("ann", 60);
    if (next) {
      store().save_labels(save_of(*next, {annotation_of(nine, Box{1, 1, 5, 5})}));
    }
    return next;
  });
  const bool answered = labeling.wait_for(10s) == std::future_status::ready;
  finish.set_value();
  writer.join();
  ASSERT_TRUE(answered) << "a next or a save waited for another write of the process";
  const auto next = labeling.get();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, image.id);  // the image the open batch added is not committed yet
  EXPECT_EQ(store().image(image.id)->status, ImageStatus::kLabeled);
  EXPECT_EQ(store().images().size(), 2u);
}

// A queue being published locks every queued image until it commits (replace_queue updates their
// ranks): a next meanwhile waits for it and serves an image, never "nothing left to label".
TEST_P(StoreTest, ANextDuringAQueuePublishWaitsForItInsteadOfFindingNothing) {
  const Image first = add_image(1);
  const Image second = add_image(2);
  store().replace_queue(std::nullopt, "random first batch",
                        {QueueEntry{second.id, 0, 0}, QueueEntry{first.id, 0, 1}});
  auto publisher = open_database();
  publisher->exec(on_postgres() ? "BEGIN; UPDATE image SET queue_rank = queue_rank"
                                : "BEGIN IMMEDIATE; UPDATE image SET queue_rank = queue_rank");
  auto next = std::async(std::launch::async, [&] { return store().next_image("ann", 60); });
  EXPECT_EQ(next.wait_for(300ms), std::future_status::timeout);  // waiting, not answered
  publisher->exec("COMMIT");
  ASSERT_EQ(next.wait_for(10s), std::future_status::ready);
  const auto image = next.get();
  ASSERT_TRUE(image);
  EXPECT_EQ(image->id, second.id);
}

TEST_P(StoreTest, ManyThreadsSaveAndReadWithoutLosingASave) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10;
  store().batch([&] {
    for (int i = 0; i < kThreads * kPerThread; ++i) add_image(i);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string labeler = "labeler" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        const auto image = store().next_image(labeler, 60);
        ASSERT_TRUE(image);
        store().save_labels(save_of(*image, {box("ten", 1, 1, 5, 5)}, labeler));
        // A save is seen by the next read of any connection.
        EXPECT_EQ(store().image(image->id)->version, 1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store().image_counts().labeled, kThreads * kPerThread);
  EXPECT_EQ(store().count_label_events_after(0), kThreads * kPerThread);
}

TEST_P(StoreTest, ALockHeldByAnotherProcessIsBusyAndWritesNothing) {
  const Image image = add_image(1);
  store_.reset();
  StoreOptions options = store_options();
  options.busy_timeout = 50ms;
  store_ = Store::open(project_dir(), options);
  // Another process (here: another connection) holds the write lock: SQLite's one lock, or on
  // PostgreSQL the lock on the image row a save and a lease both need.
  auto other = open_database();
  other->exec(on_postgres() ? "BEGIN; SELECT id FROM image FOR UPDATE" : "BEGIN IMMEDIATE");
  expect_error(ErrorCode::kBusy,
               [&] { store().save_labels(save_of(image, {box("nine", 1, 1, 5, 5)})); });
  // On PostgreSQL a next skips an image another next has locked, but when every candidate is
  // locked it waits for them: here past the busy timeout.
  expect_error(ErrorCode::kBusy, [&] { store().next_image("ann", 60); });
  // Reads go on (WAL, MVCC): they never wait for the lock.
  EXPECT_EQ(store().image(image.id)->version, 0);
  EXPECT_TRUE(store().annotations(image.id).empty());
  other->exec("ROLLBACK");
  // Nothing was written, and the same save goes through once the lock is gone.
  EXPECT_FALSE(store().lease_holder(image.id));
  EXPECT_EQ(store().save_labels(save_of(image, {box("nine", 1, 1, 5, 5)})).version, 1);
}

TEST_P(StoreTest, ReadsUseReadOnlyConnections) {
  // A reader refuses writes: a store method that wrote on a read transaction would fail here
  // instead of racing the writer.
  store().add_user("ann", UserRole::kLabeler);
  ConnectionOptions options;
  options.read_only = true;
  auto reader = open_database(options);
  expect_error(ErrorCode::kIo, [&] { reader->exec("DELETE FROM \"user\""); });
  EXPECT_EQ(store().users().size(), 1u);
}

}  // namespace
}  // namespace boxloop::testing
