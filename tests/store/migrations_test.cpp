// The schema migrations: from an empty database, from every earlier version, idempotent.
#include "store/migrations.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "core/time.h"
#include "store/database.h"
#include "store/sqlite_database.h"
#include "store/store.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

std::set<std::string> schema_objects(Database& db) {
  std::set<std::string> names;
  auto select = db.prepare(
      "SELECT type || ':' || name FROM sqlite_schema WHERE name NOT LIKE "
      "'sqlite_%' ORDER BY 1");
  while (select.step()) names.insert(select.text(0));
  for (const std::string table : {"job", "annotation", "label_event"}) {
    auto columns = db.prepare("SELECT name FROM pragma_table_info('" + table + "')");
    while (columns.step()) names.insert(table + "." + columns.text(0));
  }
  return names;
}

// A project folder as schema `version` left it, holding `rows` (SQL inserts), opened by this
// version's store: which migrates it.
// Train jobs as version 6 wrote them: two loop rounds (one cancelled), a manual training, a
// scoring, and params no round has.
constexpr const char* kVersionSixRounds =
    "INSERT INTO project (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z');"
    "INSERT INTO job (kind, state, params, created_at) VALUES"
    "  ('train', 'done', '{\"round_after_event\": 5}', 't1'),"
    "  ('train', 'done', '{\"steps\": 3}', 't2'),"
    "  ('score', 'done', '{\"round_after_event\": 7}', 't3'),"
    "  ('train', 'cancelled', '{\"round_after_event\": 9}', 't4'),"
    "  ('train', 'done', '{\"round_after_event\": \"x\"}', 't5');";

std::unique_ptr<Store> open_old_project(const std::filesystem::path& dir, int version,
                                        const std::string& rows) {
  {
    auto db = Database::open(dir / Store::kDatabaseFile, /*create=*/true);
    apply_migrations(*db, version);
    db->exec(rows);
  }
  return Store::open(dir);
}

TEST(Migrations, FromAnEmptyDatabaseBuildsTheWholeSchema) {
  TempDir temp;
  auto db = Database::open(temp.path() / "empty.db", /*create=*/true);
  EXPECT_EQ(db->user_version(), 0);
  EXPECT_EQ(apply_migrations(*db), latest_schema_version());
  EXPECT_EQ(db->user_version(), latest_schema_version());
  const auto objects = schema_objects(*db);
  for (const char* table : {"project", "category", "image", "annotation", "label_event", "query",
                            "model", "job", "user", "lease", "session", "proposal"}) {
    EXPECT_TRUE(objects.count(std::string("table:") + table)) << table;
  }
  EXPECT_TRUE(objects.count("job.cancel_requested"));
  for (const char* column : {"annotation.origin", "label_event.active_seconds", "label_event.drawn",
                             "label_event.accepted", "label_event.adjusted", "label_event.rejected",
                             "label_event.model_id"}) {
    EXPECT_TRUE(objects.count(column)) << column;
  }
  // Applying again does nothing and changes nothing.
  EXPECT_EQ(apply_migrations(*db), 0);
  EXPECT_EQ(schema_objects(*db), objects);
}

TEST(Migrations, EveryEarlierVersionMigratesToTheSameSchema) {
  TempDir temp;
  auto reference = Database::open(temp.path() / "reference.db", true);
  apply_migrations(*reference);
  const auto expected = schema_objects(*reference);

  for (int start = 0; start < latest_schema_version(); ++start) {
    const auto file = temp.path() / ("from_" + std::to_string(start) + ".db");
    {
      auto db = Database::open(file, true);
      EXPECT_EQ(apply_migrations(*db, start), start);
      EXPECT_EQ(db->user_version(), start);
    }
    auto db = Database::open(file, false);
    EXPECT_EQ(apply_migrations(*db), latest_schema_version() - start) << "from " << start;
    EXPECT_EQ(schema_objects(*db), expected) << "from " << start;
  }
}

// Rounds were a key in their train jobs' params before the round table: they become its rows.
TEST(Migrations, RoundsOfAVersionSixProjectAreReadBackFromTheirTrainJobs) {
  TempDir temp;
  auto store = open_old_project(temp.path(), 6, kVersionSixRounds);
  const std::vector<Round> rounds = store->rounds();
  ASSERT_EQ(rounds.size(), 2u);
  EXPECT_EQ(rounds[0].after_event, 5);
  EXPECT_EQ(rounds[0].train_job, 1);
  EXPECT_EQ(rounds[0].phase, RoundPhase::kDone);
  EXPECT_EQ(rounds[1].after_event, 9);
  EXPECT_EQ(rounds[1].train_job, 4);
  EXPECT_EQ(rounds[1].phase, RoundPhase::kCancelled);
  EXPECT_EQ(store->latest_round(/*skip_cancelled=*/true)->train_job, 1);
}

TEST(Migrations, OpeningAVersionOneProjectKeepsItsDataAndMigrates) {
  TempDir temp;
  // A project as the first schema version wrote it, with a job and a labeled image.
  auto store = open_old_project(
      temp.path(), 1,
      "INSERT INTO project (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z');"
      "INSERT INTO category (name, position) VALUES ('ace', 0);"
      "INSERT INTO image (path, sha256, width, height, added_at, status, version) "
      "  VALUES ('a.jpg', 'h', 10, 10, '2026-01-01T00:00:00Z', 'labeled', 1);"
      "INSERT INTO annotation (image_id, category_id, x, y, w, h) VALUES (1, 1, 1, 2, 3, 4);"
      "INSERT INTO job (kind, state, created_at) VALUES ('train', 'running', 'x');");
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  EXPECT_EQ(store->name(), "old");
  EXPECT_EQ(store->settings().trigger_every, 20);  // defaults fill the empty settings
  ASSERT_EQ(store->annotations(1).size(), 1u);
  EXPECT_EQ(store->annotations(1)[0].box, (Box{1, 2, 3, 4}));
  ASSERT_TRUE(store->job(1));
  EXPECT_FALSE(store->job(1)->cancel_requested);  // the new column's default
  // The tables the second version added work on the old data.
  EXPECT_FALSE(store->next_image("ann", 60));  // its only image is labeled
  EXPECT_EQ(store->requeue_abandoned_jobs(std::chrono::hours(1), true), 1);
  EXPECT_FALSE(store->job(1)->parent);  // the newer columns' defaults
}

TEST(Migrations, OpeningAVersionThreeProjectKeepsItsLabelsAndStartsRecordingEffort) {
  TempDir temp;
  // A project as the third schema version wrote it: a model, a queue, a labeled image.
  auto store = open_old_project(
      temp.path(), 3,
      "INSERT INTO project (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z');"
      "INSERT INTO category (name, position) VALUES ('ace', 0);"
      "INSERT INTO image (path, sha256, width, height, added_at, status, version, audit) "
      "  VALUES ('a.jpg', 'h1', 10, 10, 'x', 'labeled', 1, 1),"
      "         ('b.jpg', 'h2', 10, 10, 'x', 'unlabeled', 0, 0);"
      "INSERT INTO annotation (image_id, category_id, x, y, w, h, source, score)"
      "  VALUES (1, 1, 1, 2, 3, 4, 'human', NULL), (1, 1, 5, 5, 2, 2, 'model', 0.5);"
      "INSERT INTO label_event (image_id, labeler, status, box_count, created_at, version)"
      "  VALUES (1, 'ann', 'labeled', 2, 'x', 1);"
      "INSERT INTO model (arch, weights_path, created_at) VALUES ('fastestdet', 'm.pt', 'x');"
      "INSERT INTO query (image_id, model_id, strategy, uncertainty, rank, created_at)"
      "  VALUES (2, 1, 'margin', 0.5, 0, 'x');");
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  const auto boxes = store->annotations(1);
  ASSERT_EQ(boxes.size(), 2u);
  EXPECT_EQ(boxes[0].box, (Box{1, 2, 3, 4}));
  EXPECT_EQ(boxes[1].source, BoxSource::kModel);
  EXPECT_EQ(boxes[1].score, 0.5);
  // Before proposals every box was drawn by hand; no time was measured.
  EXPECT_EQ(boxes[0].origin, BoxOrigin::kDrawn);
  EXPECT_EQ(boxes[1].origin, BoxOrigin::kDrawn);
  const LabelEvent event = store->label_events(1).at(0);
  EXPECT_EQ(event.labeler, "ann");
  EXPECT_EQ(event.box_count, 2);
  EXPECT_EQ(event.effort.drawn, 2);
  EXPECT_EQ(event.effort.accepted + event.effort.adjusted + event.effort.rejected, 0);
  EXPECT_FALSE(event.effort.active_seconds);
  EXPECT_FALSE(event.model_id);
  EXPECT_TRUE(store->effort_events().empty());
  EXPECT_TRUE(store->image(1)->audit);
  EXPECT_EQ(store->queue().size(), 1u);
  EXPECT_EQ(store->queue_model(), 1);
  EXPECT_TRUE(store->proposals(2).empty());

  // The new tables and columns work on the old data.
  Proposal p;
  p.image_id = 2;
  p.category_id = 1;
  p.box = Box{1, 1, 4, 4};
  p.score = 0.75;
  store->replace_queue(Id{1}, "margin", {QueueEntry{2, 0.5, 0}}, {p});
  ASSERT_EQ(store->proposals(2).size(), 1u);
  LabelSave save;
  save.image_id = 2;
  save.labeler = "bob";
  save.active_seconds = 3;
  Annotation kept;
  kept.category_id = 1;
  kept.box = p.box;
  kept.origin = BoxOrigin::kAccepted;
  save.boxes = {kept};
  const LabelEvent saved = store->save_labels(save);
  EXPECT_EQ(saved.model_id, 1);
  EXPECT_EQ(saved.effort.accepted, 1);
  EXPECT_EQ(store->effort_events().size(), 1u);
}

TEST(Migrations, OpeningAVersionFourProjectKeepsItsQueueOrder) {
  TempDir temp;
  // Three unlabeled images queued 3, 1 (2 is not queued) by the fourth schema version.
  auto store = open_old_project(
      temp.path(), 4,
      "INSERT INTO project (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z');"
      "INSERT INTO image (path, sha256, width, height, added_at) VALUES"
      "  ('a.jpg', 'h1', 10, 10, 'x'), ('b.jpg', 'h2', 10, 10, 'x'), ('c.jpg', 'h3', 10, 10, 'x');"
      "INSERT INTO query (image_id, model_id, strategy, uncertainty, rank, created_at) VALUES"
      "  (3, NULL, 'margin', 0.9, 0, 'x'), (1, NULL, 'margin', 0.5, 1, 'x');");
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  store->update_settings(Json{{"audit_fraction", 0}});
  EXPECT_EQ(store->next_image("ann", 60)->id, 3);
  EXPECT_EQ(store->next_image("bob", 60)->id, 1);
  EXPECT_EQ(store->next_image("cyd", 60)->id, 2);
}

TEST(Migrations, OpeningAVersionFiveProjectCountsItsAuditSetAndServedImages) {
  TempDir temp;
  auto store = open_old_project(temp.path(), 5, kVersionFiveImagesAndLeases);
  auto db = Database::open(temp.path() / Store::kDatabaseFile, /*create=*/false);
  auto counts = db->prepare("SELECT audit, served FROM audit_count");
  ASSERT_TRUE(counts.step());
  EXPECT_EQ(counts.int64(0), kVersionFiveAudit);
  EXPECT_EQ(counts.int64(1), kVersionFiveServed);
}

// SQLite keeps each compiled statement for the next use of its text; a kept one still sees a
// changed table, and two uses of one text at once do not share one.
TEST(Database, SqliteStatementsAreCompiledOnceAndFollowSchemaChanges) {
  TempDir temp;
  auto db = SqliteDatabase::open(temp.path() / "t.db", true, {});
  db->exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2)");
  const std::size_t before = db->cached_statements();
  const auto columns = [&] {
    auto select = db->prepare("SELECT * FROM t ORDER BY v");
    EXPECT_TRUE(select.step());
    int count = 0;
    while (!select.is_null(count) && count < 3) ++count;
    return count;
  };
  EXPECT_EQ(columns(), 1);
  EXPECT_EQ(db->cached_statements(), before + 1);
  EXPECT_EQ(columns(), 1);
  EXPECT_EQ(db->cached_statements(), before + 1);  // the kept one ran again
  db->exec("ALTER TABLE t ADD COLUMN w INTEGER NOT NULL DEFAULT 7");
  EXPECT_EQ(columns(), 2);
  auto outer = db->prepare("SELECT v FROM t ORDER BY v");
  ASSERT_TRUE(outer.step());
  auto inner = db->prepare("SELECT v FROM t ORDER BY v");
  ASSERT_TRUE(inner.step());
  ASSERT_TRUE(inner.step());
  EXPECT_EQ(outer.int64(0), 1);
  EXPECT_EQ(inner.int64(0), 2);
}

TEST(Database, ANestedTransactionThatThrowsRollsBackOnlyItself) {
  TempDir temp;
  auto db = Database::open(temp.path() / "t.db", true);
  db->exec("CREATE TABLE t (v INTEGER)");
  db->transaction(TransactionKind::kWrite, [&] {
    db->exec("INSERT INTO t VALUES (1)");
    EXPECT_THROW(db->transaction(TransactionKind::kWrite,
                                 [&] {
                                   db->exec("INSERT INTO t VALUES (2)");
                                   throw Error(ErrorCode::kInternal, "inner");
                                 }),
                 Error);
  });
  EXPECT_THROW(db->transaction(TransactionKind::kWrite,
                               [&] {
                                 db->exec("INSERT INTO t VALUES (3)");
                                 throw std::runtime_error("outer");
                               }),
               std::runtime_error);
  auto select = db->prepare("SELECT group_concat(v) FROM t");
  select.step();
  EXPECT_EQ(select.text(0), "1");
}

}  // namespace
}  // namespace boxloop::testing
