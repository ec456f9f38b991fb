// The audit set (Store::next_image): a share of the images served is drawn uniformly at random,
// whatever the queue says, and an image's membership never changes as images come and go.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/next_image_sql.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

std::vector<Id> audit_ids(Store& store) {
  std::vector<Id> ids;
  for (const Image& image : store.images()) {
    if (image.audit) ids.push_back(image.id);
  }
  return ids;
}

TEST_P(StoreTest, AuditImagesAreTheConfiguredShareOfTheImagesServed) {
  store().batch([&] {
    for (int i = 0; i < 120; ++i) add_image(i);
  });
  store().update_settings(Json{{"audit_fraction", 0.1}});
  store().seed_audit_draws(5);
  int audits = 0;
  for (int served = 1; served <= 100; ++served) {
    const auto image = store().next_image("ann", 60);
    ASSERT_TRUE(image);
    audits += image->audit ? 1 : 0;
    store().save_labels(save_of(*image, {box("nine", 1, 1, 5, 5)}));
    // Every tenth image served is an audit image: never more than the share, never behind.
    EXPECT_EQ(audits, served / 10) << "after " << served << " images";
  }
  EXPECT_EQ(audits, 10);
  EXPECT_EQ(audit_ids(store()).size(), 10u);
  // The image JSON labelers see does not say which images are audit images.
  EXPECT_FALSE(Json(*store().image(audit_ids(store())[0])).contains("audit"));
}

TEST_P(StoreTest, AuditDrawsAreUniformOverTheFreeImagesWhateverTheQueue) {
  constexpr int kImages = 3000;
  store().batch([&] {
    for (int i = 0; i < kImages; ++i) add_image(i);
  });
  // A queue that asks for the lowest ids first: normal turns take ids from the bottom, so any
  // pull of the draws towards the queue's head would show up as too many low ids.
  std::vector<QueueEntry> queue;
  for (const Image& image : store().images()) {
    queue.push_back({image.id, 1.0 - static_cast<double>(queue.size()) / kImages, 0});
  }
  store().replace_queue(std::nullopt, "least_confidence", queue);
  store().update_settings(Json{{"audit_fraction", 0.1}});
  store().seed_audit_draws(11);
  std::vector<Id> drawn;
  store().batch([&] {
    for (int i = 0; i < 1000; ++i) {
      const auto image = store().next_image("labeler" + std::to_string(i), 600);
      ASSERT_TRUE(image);
      if (image->audit) drawn.push_back(image->id);
    }
  });
  ASSERT_EQ(drawn.size(), 100u);
  // Chi-square over four bins of the ids the queue never reached (1001..3000): the normal turns
  // took at most the first 900, so each bin should hold a quarter of the draws made there.
  const Id first = store().images().front().id;
  std::vector<int> bins(4, 0);
  int counted = 0;
  for (Id id : drawn) {
    const Id offset = id - first;
    if (offset < 1000) continue;
    ++bins[static_cast<std::size_t>((offset - 1000) / 500)];
    ++counted;
  }
  EXPECT_GT(counted, 50) << "most draws come from the two thirds the queue never reached";
  const double expected = counted / 4.0;
  double chi2 = 0;
  for (int b : bins) chi2 += (b - expected) * (b - expected) / expected;
  EXPECT_LT(chi2, 16.27) << "chi-square, 3 degrees of freedom, p = 0.001";
}

// Nearly every id labeled: most random ids an audit draw looks up miss, and most draws fall back
// on counting the few free images. Every draw is still one of them, drawn evenly, and never an
// image leased to someone else or excluded by the caller.
TEST_P(StoreTest, AuditDrawsFindTheFewFreeImagesAmongManyLabeled) {
  constexpr int kImages = 1000;
  std::vector<Image> images;
  store().batch([&] {
    for (int i = 0; i < kImages; ++i) images.push_back(add_image(i));
  });
  auto db = open_database();
  // Four unlabeled images at the top of the ids: one leased to bob, one excluded, two free.
  db->prepare("UPDATE image SET status = 'labeled' WHERE id < ?")
      .bind_all(images[kImages - 4].id)
      .run();
  const Id leased = images[kImages - 2].id, excluded = images[kImages - 1].id;
  db->prepare("INSERT INTO lease (image_id, labeler, expires_at) VALUES (?, 'bob', ?)")
      .bind_all(leased, std::int64_t{1} << 50)
      .run();
  store().update_settings(Json{{"audit_fraction", 0.5}});
  store().seed_audit_draws(7);
  std::map<Id, int> drawn;
  constexpr int kDraws = 200;
  for (int i = 0; i < kDraws; ++i) {
    const auto image = store().next_image("ann", 60, {excluded});
    ASSERT_TRUE(image);
    ASSERT_TRUE(image->audit) << "the labeled images put the audit set far behind";
    ++drawn[image->id];
    // Back out of the audit set, so that the next draw picks among the same two again.
    store().set_audit(image->id, false);
    store().release_leases("ann");
  }
  ASSERT_EQ(drawn.size(), 2u);
  EXPECT_EQ(drawn.count(leased), 0u);
  EXPECT_EQ(drawn.count(excluded), 0u);
  for (const auto& [id, count] : drawn) {
    EXPECT_GT(count, kDraws / 2 - 30) << "image " << id << ", about 4 standard deviations";
  }
}

TEST_P(StoreTest, AddingImagesNeverMovesAnImageInOrOutOfTheAuditSet) {
  for (int i = 0; i < 60; ++i) add_image(i);
  store().update_settings(Json{{"audit_fraction", 0.2}});
  store().seed_audit_draws(3);
  for (int i = 0; i < 30; ++i) {
    const auto image = store().next_image("ann", 60);
    ASSERT_TRUE(image);
    store().save_labels(save_of(*image, {}));
  }
  const std::vector<Id> before = audit_ids(store());
  ASSERT_FALSE(before.empty());
  for (int i = 60; i < 200; ++i) add_image(i);
  EXPECT_EQ(audit_ids(store()), before);
  store().update_settings(Json{{"audit_fraction", 0.0}});
  EXPECT_EQ(audit_ids(store()), before) << "turning draws off keeps the set that exists";
  EXPECT_FALSE(store().next_image("ann", 60)->audit);
}

TEST_P(StoreTest, AnUnlabeledAuditImageIsServedAgainBeforeANewDraw) {
  for (int i = 0; i < 40; ++i) add_image(i);
  store().update_settings(Json{{"audit_fraction", 0.5}});
  store().seed_audit_draws(1);
  auto first = store().next_image("ann", 60);
  store().save_labels(save_of(*first, {}));
  const auto audit = store().next_image("ann", 60);
  ASSERT_TRUE(audit && audit->audit);
  store().release_leases("ann");  // dropped without a save (the lease ran out)
  const auto again = store().next_image("bob", 60);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, audit->id);
  EXPECT_EQ(audit_ids(store()).size(), 1u);
}

// What next_image's audit rule reads (migration 6's audit_count, kept by triggers) and the same
// figures counted from the rows, as next_image counted them before.
struct AuditFigures {
  std::int64_t kept_audit, kept_served, counted_audit, counted_served;
};

AuditFigures audit_figures(Database& db) {
  auto select = db.prepare(
      "SELECT CAST(sum(audit) AS BIGINT), CAST(sum(served) AS BIGINT), "
      "(SELECT count(*) FROM image WHERE audit = 1 AND status != 'skipped'), "
      "(SELECT count(*) FROM image WHERE status IN ('labeled', 'skipped'))"
      " + (SELECT count(*) FROM image WHERE audit = 1 AND status = 'unlabeled')"
      " + (SELECT count(*) FROM lease JOIN image ON image.id = lease.image_id"
      "    WHERE image.audit = 0 AND image.status = 'unlabeled') "
      "FROM audit_count");
  EXPECT_TRUE(select.step());
  return AuditFigures{select.int64(0), select.int64(1), select.int64(2), select.int64(3)};
}

TEST_P(StoreTest, TheKeptAuditCountsEqualAFullCountAfterEveryKindOfChange) {
  auto db = open_database();
  int step = 0;
  const auto expect_consistent = [&](const std::string& after) {
    const AuditFigures f = audit_figures(*db);
    EXPECT_EQ(f.kept_audit, f.counted_audit) << "after " << after << " (step " << step << ")";
    EXPECT_EQ(f.kept_served, f.counted_served) << "after " << after << " (step " << step << ")";
    ++step;
  };
  expect_consistent("creating the project");
  std::vector<Image> images;
  store().batch([&] {
    for (int i = 0; i < 30; ++i) images.push_back(add_image(i));
  });
  expect_consistent("an import");
  store().update_settings(Json{{"audit_fraction", 0.3}});
  store().seed_audit_draws(11);
  // Nexts (leases, audit draws), saves, skips, and nexts left unsaved.
  for (int round = 0; round < 12; ++round) {
    const std::string labeler = round % 2 ? "ann" : "bob";
    const auto image = store().next_image(labeler, 60);
    ASSERT_TRUE(image);
    expect_consistent("a next");
    if (round % 3 == 0) continue;  // left leased
    LabelSave save = save_of(*image, {box("nine", 1, 1, 5, 5)}, labeler);
    if (round % 4 == 1) save.status = ImageStatus::kSkipped;
    store().save_labels(save);
    expect_consistent(save.status == ImageStatus::kSkipped ? "a skip" : "a save");
  }
  // Saving an image leased to someone else, and saving an image again.
  const auto held = store().next_image("cyd", 60);
  ASSERT_TRUE(held);
  store().save_labels(save_of(*store().image(held->id), {}, "dan"));
  expect_consistent("a save of another's leased image");
  store().save_labels(save_of(*store().image(held->id), {box("ten", 2, 2, 3, 3)}, "dan"));
  expect_consistent("a second save");
  // Audit marks by hand, on every status, leased or not, on and off.
  for (const Image& image : store().images()) {
    if (image.id % 3 != 0) continue;
    store().set_audit(image.id, !image.audit);
    expect_consistent("an audit mark");
  }
  const auto leased = store().next_image("eve", 60);
  ASSERT_TRUE(leased);
  store().set_audit(leased->id, true);
  store().set_audit(leased->id, false);
  expect_consistent("audit marks on a leased image");
  // Leases given up, and run out (deleted by the next next).
  store().release_leases("ann");
  expect_consistent("released leases");
  db->exec("UPDATE lease SET expires_at = 0 WHERE labeler = 'bob'");
  ASSERT_TRUE(store().next_image("fay", 60));
  expect_consistent("expired leases");
  // A lease moved to another image, and images deleted with their leases and labels (no Store
  // call deletes images yet; another program's SQL might).
  const auto moved = store().next_image("gus", 60);
  ASSERT_TRUE(moved);
  auto free_image = db->prepare(
      "SELECT id FROM image WHERE status = 'unlabeled' AND audit = 0 "
      "AND id NOT IN (SELECT image_id FROM lease) ORDER BY id LIMIT 1");
  ASSERT_TRUE(free_image.step());
  const Id target = free_image.int64(0);
  db->prepare("UPDATE lease SET image_id = ? WHERE image_id = ?").bind_all(target, moved->id).run();
  expect_consistent("a lease moved");
  db->prepare("DELETE FROM image WHERE id = ?").bind_all(target).run();
  expect_consistent("deleting a leased image");
  db->exec("DELETE FROM image WHERE status != 'unlabeled' OR audit = 1");
  expect_consistent("deleting labeled, skipped and audit images");
  db->exec("DELETE FROM image");
  expect_consistent("deleting every image");
  const AuditFigures empty = audit_figures(*db);
  EXPECT_EQ(empty.kept_audit, 0);
  EXPECT_EQ(empty.kept_served, 0);
}

// Labelers on two servers (two Stores), four at once on each: on PostgreSQL their nexts and saves
// run side by side on separate connections. No image is leased twice, none is left out, and the
// audit set stays within its share of the images served (the turn to draw is taken by one next
// at a time) without falling behind by more than the nexts in flight.
TEST_P(StoreTest, NextsSideBySideLeaseEachImageOnceAndKeepTheAuditShare) {
  constexpr int kImages = 200;
  constexpr int kThreads = 8;
  store().batch([&] {
    for (int i = 0; i < kImages; ++i) add_image(i);
  });
  store().update_settings(Json{{"audit_fraction", 0.1}});
  auto other = Store::open(project_dir(), store_options());
  std::vector<std::vector<Id>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& server = t % 2 ? *other : store();
      const std::string me = "labeler" + std::to_string(t);
      try {
        // Excluding what it holds, as the page's prefetch does, else a next gives it back.
        while (const auto image = server.next_image(me, 60, got[t])) {
          got[t].push_back(image->id);
          // Half the images are saved (their leases end), half stay leased.
          if (got[t].size() % 2 == 0) server.save_labels(save_of(*image, {}, me));
        }
      } catch (const Error& e) {
        ADD_FAILURE() << me << ": " << e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<Id> distinct;
  std::size_t served = 0;
  for (const auto& ids : got) {
    served += ids.size();
    distinct.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(served, static_cast<std::size_t>(kImages));
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kImages));
  const std::size_t audit = audit_ids(store()).size();
  EXPECT_LE(audit, static_cast<std::size_t>(kImages / 10));
  EXPECT_GE(audit, static_cast<std::size_t>(kImages / 10 - kThreads));
}

// An audit draw's pick is claimed only while it is still a candidate and nobody holds it: a save
// committed since the draw looked, or another next that has locked it to lease it, makes it a
// miss, never a wait or a labeled image served.
TEST_P(StoreTest, AnAuditPickIsClaimedOnlyWhileItIsStillACandidate) {
  const Image candidate = add_image(1);
  const Image labeled = add_image(2);
  const Image locked = add_image(3);
  store().save_labels(save_of(labeled, {}));
  auto db = open_database();
  const auto claim = [&](Id id) {
    auto select = db->prepare(next_image_sql::claim_audit_candidate(db->dialect()));
    select.bind_all(id);
    return select.step();
  };
  EXPECT_TRUE(claim(candidate.id));
  EXPECT_FALSE(claim(labeled.id));
  if (on_postgres()) {
    auto other = open_database();
    other->exec("BEGIN; SELECT id FROM image WHERE id = " + std::to_string(locked.id) +
                " FOR NO KEY UPDATE");
    EXPECT_FALSE(claim(locked.id));  // skipped at once
    other->exec("ROLLBACK");
  }
  EXPECT_TRUE(claim(locked.id));
}

TEST_P(StoreTest, TheAuditRuleReadsTheKeptCounts) {
  for (int i = 0; i < 20; ++i) add_image(i);
  store().update_settings(Json{{"audit_fraction", 0.5}});
  store().seed_audit_draws(3);
  // Counts that say the audit set is far behind: the next image is a draw, as a project whose
  // labels were imported catches up at once.
  open_database()->exec("UPDATE audit_count SET served = 10");
  EXPECT_TRUE(store().next_image("ann", 60)->audit);
}

}  // namespace
}  // namespace boxloop::testing
