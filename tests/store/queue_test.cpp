// next_image with leases, and the query queue that orders it.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "store_fixture.h"

namespace boxloop::testing {
namespace {

TEST_F(StoreTest, NextImageFollowsImportOrderWithoutAQueue) {
  const Image a = add_image(1), b = add_image(2);
  EXPECT_EQ(store().next_image("ann", 60)->id, a.id);
  EXPECT_EQ(store().lease_holder(a.id), "ann");
  // Asking again returns the image ann already holds, not a new one.
  EXPECT_EQ(store().next_image("ann", 60)->id, a.id);
  // Another labeler gets the next free image.
  EXPECT_EQ(store().next_image("bob", 60)->id, b.id);
  EXPECT_FALSE(store().next_image("cyd", 60));  // everything is leased
  EXPECT_FALSE(store().lease_holder(9999));
}

TEST_F(StoreTest, ExcludeSkipsImagesTheCallerAlreadyHolds) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  EXPECT_EQ(store().next_image("ann", 60)->id, a.id);
  EXPECT_EQ(store().next_image("ann", 60, {a.id})->id, b.id);  // prefetch the next one
  EXPECT_EQ(store().next_image("ann", 60, {a.id, b.id})->id, c.id);
  EXPECT_EQ(store().lease_holder(b.id), "ann");
  EXPECT_FALSE(store().next_image("ann", 60, {a.id, b.id, c.id}));
  EXPECT_FALSE(store().next_image("bob", 60));
}

TEST_F(StoreTest, SavedAndSkippedImagesAreNotHandedOutAgain) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  ASSERT_EQ(store().next_image("ann", 60)->id, a.id);
  store().save_labels(save_of(a, {box("nine", 1, 1, 1, 1)}));
  EXPECT_FALSE(store().lease_holder(a.id));  // the save ended the lease
  EXPECT_EQ(store().next_image("ann", 60)->id, b.id);
  LabelSave skip = save_of(b, {});
  skip.status = ImageStatus::kSkipped;
  store().save_labels(skip);
  EXPECT_EQ(store().next_image("ann", 60)->id, c.id);
}

TEST_F(StoreTest, TwoLabelersNeverGetTheSameImage) {
  constexpr int kImages = 40;
  for (int i = 0; i < kImages; ++i) add_image(i);
  auto other = Store::open(project_dir());
  std::vector<Id> got[4];
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Store& s = t % 2 ? *other : store();
      const std::string me = "labeler" + std::to_string(t);
      for (;;) {
        std::optional<Image> next;
        try {
          next = s.next_image(me, 60, got[t]);
        } catch (const Error& e) {
          ADD_FAILURE() << e.what();
          return;
        }
        if (!next) return;
        got[t].push_back(next->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<Id> all;
  std::size_t handed_out = 0;
  for (const auto& ids : got) {
    handed_out += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(handed_out, static_cast<std::size_t>(kImages));  // no image twice...
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kImages));  // ...and none left out
}

TEST_F(StoreTest, AnExpiredLeaseFreesTheImage) {
  const Image a = add_image(1);
  ASSERT_EQ(store().next_image("ann", 1)->id, a.id);
  EXPECT_FALSE(store().next_image("bob", 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_FALSE(store().lease_holder(a.id));
  EXPECT_EQ(store().next_image("bob", 60)->id, a.id);
  EXPECT_EQ(store().lease_holder(a.id), "bob");
  expect_error(ErrorCode::kInvalidArgument, [&] { store().next_image("ann", 0); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().next_image("", 60); });
}

TEST_F(StoreTest, ReleasedLeasesGoToTheNextLabeler) {
  const Image a = add_image(1);
  add_image(2);
  ASSERT_EQ(store().next_image("ann", 60)->id, a.id);
  store().release_leases("ann");
  EXPECT_FALSE(store().lease_holder(a.id));
  EXPECT_EQ(store().next_image("bob", 60)->id, a.id);
}

TEST_F(StoreTest, TheQueueOrdersNextImageAndImportOrderFollowsIt) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3), d = add_image(4);
  store().replace_queue(std::nullopt, "least_confidence",
                        {QueueEntry{c.id, 0.9, 0}, QueueEntry{a.id, 0.5, 0}});
  EXPECT_EQ(store().next_image("ann", 60)->id, c.id);
  EXPECT_EQ(store().next_image("bob", 60)->id, a.id);
  EXPECT_EQ(store().next_image("cyd", 60)->id, b.id);  // past the queue: import order
  EXPECT_EQ(store().next_image("dee", 60)->id, d.id);
}

TEST_F(StoreTest, ReplaceQueueStoresTheGivenOrderAndReplacesTheOld) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  const ModelRecord model = store().add_model(model_of("fastestdet", "models/1.pt"));
  EXPECT_TRUE(store().queue_info().is_null());
  store().replace_queue(std::nullopt, "random", {QueueEntry{a.id, 0, 0}, QueueEntry{b.id, 0, 0}});
  store().replace_queue(model.id, "entropy", {QueueEntry{c.id, 0.7, 5}, QueueEntry{a.id, 0.9, 1}});
  const auto queue = store().queue();
  ASSERT_EQ(queue.size(), 2u);  // b is gone: a replace, not a merge
  EXPECT_EQ(queue[0].image_id, c.id);
  EXPECT_EQ(queue[0].rank, 0);
  EXPECT_DOUBLE_EQ(queue[0].uncertainty, 0.7);
  EXPECT_EQ(queue[1].image_id, a.id);
  EXPECT_EQ(queue[1].rank, 1);
  const Json info = store().queue_info();
  EXPECT_EQ(info["model_id"], model.id);
  EXPECT_EQ(info["strategy"], "entropy");
  EXPECT_EQ(info["size"], 2);
  EXPECT_FALSE(info["created_at"].get<std::string>().empty());
}

TEST_F(StoreTest, AFailedQueueReplaceKeepsTheOldQueue) {
  const Image a = add_image(1), b = add_image(2);
  store().replace_queue(std::nullopt, "random", {QueueEntry{a.id, 0, 0}, QueueEntry{b.id, 0, 0}});
  // An unknown image at the end: the rows before it must not survive.
  expect_error(ErrorCode::kNotFound, [&] {
    store().replace_queue(std::nullopt, "entropy", {QueueEntry{b.id, 1, 0}, QueueEntry{777, 1, 0}});
  });
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().replace_queue(std::nullopt, "entropy",
                          {QueueEntry{b.id, 1, 0}, QueueEntry{b.id, 1, 0}});
  });
  expect_error(ErrorCode::kNotFound, [&] {
    store().replace_queue(Id{55}, "entropy", {QueueEntry{b.id, 1, 0}});
  });
  const auto queue = store().queue();
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].image_id, a.id);
  EXPECT_EQ(store().queue_info()["strategy"], "random");
}

TEST_F(StoreTest, AReaderNeverSeesAHalfReplacedQueue) {
  constexpr int kImages = 200;
  std::vector<Id> ids;
  for (int i = 0; i < kImages; ++i) ids.push_back(add_image(i).id);
  auto reader = Store::open(project_dir());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread watcher([&] {
    while (!done) {
      std::vector<QueueEntry> queue;
      try {
        queue = reader->queue();
      } catch (const Error& e) {
        ADD_FAILURE() << e.what();
        return;
      }
      // Every replace writes all images: a reader sees none (before the first) or all.
      if (!queue.empty() && queue.size() != static_cast<std::size_t>(kImages)) {
        ADD_FAILURE() << "saw a queue of " << queue.size();
      }
      ++reads;
    }
  });
  for (int round = 0; round < 10; ++round) {
    std::vector<QueueEntry> entries;
    for (int i = 0; i < kImages; ++i) {
      entries.push_back(QueueEntry{ids[static_cast<std::size_t>((i + round) % kImages)], 0.5, 0});
    }
    store().replace_queue(std::nullopt, "round" + std::to_string(round), entries);
  }
  done = true;
  watcher.join();
  EXPECT_GT(reads, 0);
  EXPECT_EQ(store().queue()[0].image_id, ids[9]);
}

}  // namespace
}  // namespace boxloop::testing
