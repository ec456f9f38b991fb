// next_image with leases, and the query queue that orders it.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "store/database.h"
#include "store/next_image_sql.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

TEST_P(StoreTest, NextImageFollowsImportOrderWithoutAQueue) {
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

TEST_P(StoreTest, ExcludeSkipsImagesTheCallerAlreadyHolds) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  EXPECT_EQ(store().next_image("ann", 60)->id, a.id);
  EXPECT_EQ(store().next_image("ann", 60, {a.id})->id, b.id);  // prefetch the next one
  EXPECT_EQ(store().next_image("ann", 60, {a.id, b.id})->id, c.id);
  EXPECT_EQ(store().lease_holder(b.id), "ann");
  EXPECT_FALSE(store().next_image("ann", 60, {a.id, b.id, c.id}));
  EXPECT_FALSE(store().next_image("bob", 60));
}

TEST_P(StoreTest, SavedAndSkippedImagesAreNotHandedOutAgain) {
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

TEST_P(StoreTest, TwoLabelersNeverGetTheSameImage) {
  constexpr int kImages = 40;
  for (int i = 0; i < kImages; ++i) add_image(i);
  auto other = Store::open(project_dir(), store_options());
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

TEST_P(StoreTest, AnExpiredLeaseFreesTheImage) {
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

TEST_P(StoreTest, ReleasedLeasesGoToTheNextLabeler) {
  const Image a = add_image(1);
  add_image(2);
  ASSERT_EQ(store().next_image("ann", 60)->id, a.id);
  store().release_leases("ann");
  EXPECT_FALSE(store().lease_holder(a.id));
  EXPECT_EQ(store().next_image("bob", 60)->id, a.id);
}

TEST_P(StoreTest, TheQueueOrdersNextImageAndImportOrderFollowsIt) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3), d = add_image(4);
  store().replace_queue(std::nullopt, "least_confidence",
                        {QueueEntry{c.id, 0.9, 0}, QueueEntry{a.id, 0.5, 0}});
  EXPECT_EQ(store().next_image("ann", 60)->id, c.id);
  EXPECT_EQ(store().next_image("bob", 60)->id, a.id);
  EXPECT_EQ(store().next_image("cyd", 60)->id, b.id);  // past the queue: import order
  EXPECT_EQ(store().next_image("dee", 60)->id, d.id);
}

TEST_P(StoreTest, ReplaceQueueStoresTheGivenOrderAndReplacesTheOld) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  const ModelRecord model = store().add_model(model_of("fastestdet", "models/1.pt"));
  EXPECT_TRUE(store().queue_info().is_null());
  store().replace_queue(std::nullopt, "random", {QueueEntry{a.id, 0, 0}, QueueEntry{b.id, 0, 0}});
  store().replace_queue(model.id, "entropy",
                        {QueueEntry{c.id, 0.7, 5}, QueueEntry{a.id, 1.0 / 3.0, 1}});
  const auto queue = store().queue();
  ASSERT_EQ(queue.size(), 2u);  // b is gone: a replace, not a merge
  EXPECT_EQ(queue[0].image_id, c.id);
  EXPECT_EQ(queue[0].rank, 0);
  EXPECT_DOUBLE_EQ(queue[0].uncertainty, 0.7);
  EXPECT_EQ(queue[1].image_id, a.id);
  EXPECT_EQ(queue[1].rank, 1);
  EXPECT_EQ(queue[1].uncertainty, 1.0 / 3.0);  // every bit, also through PostgreSQL's arrays
  const Json info = store().queue_info();
  EXPECT_EQ(info["model_id"], model.id);
  EXPECT_EQ(info["strategy"], "entropy");
  EXPECT_EQ(info["size"], 2);
  EXPECT_FALSE(info["created_at"].get<std::string>().empty());
}

TEST_P(StoreTest, AFailedQueueReplaceKeepsTheOldQueue) {
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

TEST_P(StoreTest, AReaderNeverSeesAHalfReplacedQueue) {
  constexpr int kImages = 200;
  std::vector<Id> ids;
  for (int i = 0; i < kImages; ++i) ids.push_back(add_image(i).id);
  auto reader = Store::open(project_dir(), store_options());
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

// Every statement of next_image walks an index in the order it wants and stops at the first free
// image: no sort of the unlabeled images, no read of every image row (next_image_sql.h).
TEST_P(StoreTest, NextImageStatementsWalkIndexesInsteadOfScanning) {
  BOXLOOP_SQLITE_ONLY("EXPLAIN QUERY PLAN; PostgreSQL plans by its statistics");
  store().batch([&] {
    for (int i = 0; i < 50; ++i) add_image(i);
  });
  auto db = open_database();
  const auto plan = [&](const std::string& statement) {
    auto explain = db->prepare("EXPLAIN QUERY PLAN " + statement);
    std::string steps;
    while (explain.step()) steps += explain.text(3) + "\n";
    return steps;
  };
  namespace sql = next_image_sql;
  const std::vector<std::pair<std::string, std::string>> statements = {
      {"held", sql::held(Dialect::kSqlite)},
      {"pending_audit", sql::pending_audit(Dialect::kSqlite)},
      {"served_counts", sql::served_counts(Dialect::kSqlite)},
      {"audit_candidates_count", sql::audit_candidates_count(Dialect::kSqlite)},
      {"audit_candidate", sql::audit_candidate(Dialect::kSqlite)},
      {"image_id_range", sql::image_id_range(Dialect::kSqlite)},
      {"images_at", sql::images_at(Dialect::kSqlite)},
      {"queued", sql::queued(Dialect::kSqlite)},
      {"imported", sql::imported(Dialect::kSqlite)}};
  for (const auto& [name, statement] : statements) {
    const std::string steps = plan(statement);
    EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << name << ":\n" << steps;
    std::size_t start = 0;
    for (std::size_t end; (end = steps.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::string step = steps.substr(start, end - start);
      const bool table_scan =
          step.rfind("SCAN image", 0) == 0 && step.find("INDEX") == std::string::npos;
      EXPECT_FALSE(table_scan) << name << ":\n" << steps;
    }
  }
  EXPECT_NE(plan(sql::held(Dialect::kSqlite)).find("lease_by_labeler (labeler=?)"),
            std::string::npos);
  EXPECT_NE(plan(sql::images_at(Dialect::kSqlite)).find("INTEGER PRIMARY KEY"), std::string::npos);
  EXPECT_NE(plan(sql::queued(Dialect::kSqlite)).find("image_unlabeled_by_queue_rank"),
            std::string::npos);
  EXPECT_NE(plan(sql::imported(Dialect::kSqlite)).find("image_by_status (status=?)"),
            std::string::npos);
}

// Labeled images stay in the queue until the next one replaces it; the next image skips them
// through the index of unlabeled ranks, in queue order, then follows import order.
TEST_P(StoreTest, AStaleQueueIsSkippedWhereLabeledAndFollowedWhereNot) {
  std::vector<Image> images;
  for (int i = 0; i < 6; ++i) images.push_back(add_image(i));
  // Queue: 5, 3, 1; import order then gives 0, 2, 4.
  store().replace_queue(std::nullopt, "margin",
                        {QueueEntry{images[5].id, 0.9, 0}, QueueEntry{images[3].id, 0.8, 0},
                         QueueEntry{images[1].id, 0.7, 0}});
  store().save_labels(save_of(images[5], {}));
  std::vector<Id> served;
  for (int i = 0; i < 5; ++i) {
    const auto image = store().next_image("ann" + std::to_string(i), 60);
    ASSERT_TRUE(image);
    served.push_back(image->id);
  }
  EXPECT_EQ(served, (std::vector<Id>{images[3].id, images[1].id, images[0].id, images[2].id,
                                     images[4].id}));
  // A new queue forgets the old ranks.
  store().release_leases("ann0");
  store().replace_queue(std::nullopt, "margin", {QueueEntry{images[1].id, 0.5, 0}});
  EXPECT_EQ(store().next_image("bob", 60)->id, images[3].id);  // no longer queued: import order
}

}  // namespace
}  // namespace boxloop::testing
