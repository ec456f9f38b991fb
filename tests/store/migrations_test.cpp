// The schema migrations: from an empty database, from every earlier version, idempotent.
#include "store/migrations.h"

#include <gtest/gtest.h>

#include <set>

#include "core/time.h"
#include "store/database.h"
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
  auto columns = db.prepare("SELECT name FROM pragma_table_info('job')");
  while (columns.step()) names.insert("job." + columns.text(0));
  return names;
}

TEST(Migrations, FromAnEmptyDatabaseBuildsTheWholeSchema) {
  TempDir temp;
  auto db = Database::open(temp.path() / "empty.db", /*create=*/true);
  EXPECT_EQ(db->user_version(), 0);
  EXPECT_EQ(apply_migrations(*db), latest_schema_version());
  EXPECT_EQ(db->user_version(), latest_schema_version());
  const auto objects = schema_objects(*db);
  for (const char* table : {"project", "category", "image", "annotation", "label_event", "query",
                            "model", "job", "user", "lease", "session"}) {
    EXPECT_TRUE(objects.count(std::string("table:") + table)) << table;
  }
  EXPECT_TRUE(objects.count("job.cancel_requested"));
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

TEST(Migrations, OpeningAVersionOneProjectKeepsItsDataAndMigrates) {
  TempDir temp;
  {
    // A project as the first schema version wrote it, with a job and a labeled image.
    auto db = Database::open(temp.path() / Store::kDatabaseFile, true);
    apply_migrations(*db, 1);
    db->exec(
        "INSERT INTO project (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z');"
        "INSERT INTO category (name, position) VALUES ('ace', 0);"
        "INSERT INTO image (path, sha256, width, height, added_at, status, version) "
        "  VALUES ('a.jpg', 'h', 10, 10, '2026-01-01T00:00:00Z', 'labeled', 1);"
        "INSERT INTO annotation (image_id, category_id, x, y, w, h) VALUES (1, 1, 1, 2, 3, 4);"
        "INSERT INTO job (kind, state, created_at) VALUES ('train', 'running', 'x');");
  }
  auto store = Store::open(temp.path());
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  EXPECT_EQ(store->name(), "old");
  EXPECT_EQ(store->settings()["trigger_every"], 20);  // defaults fill the empty settings
  ASSERT_EQ(store->annotations(1).size(), 1u);
  EXPECT_EQ(store->annotations(1)[0].box, (Box{1, 2, 3, 4}));
  ASSERT_TRUE(store->job(1));
  EXPECT_FALSE(store->job(1)->cancel_requested);  // the new column's default
  // The tables the second version added work on the old data.
  EXPECT_FALSE(store->next_image("ann", 60));  // its only image is labeled
  EXPECT_EQ(store->requeue_running_jobs(), 1);
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
