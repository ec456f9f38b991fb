// The store on each back end: StoreTest's TEST_Ps run on SQLite and PostgreSQL (store_fixture.h),
// and what only PostgreSQL has: a database that holds its project, its schema migrated to the same
// version, its refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "core/error.h"
#include "store/database_lock.h"
#include "store/migrations.h"
#include "store/next_image_sql.h"
#include "store/postgres_database.h"
#include "store/sql_dialect.h"
#include "store_fixture.h"

namespace boxloop::testing {

BOXLOOP_ON_EVERY_BACKEND(StoreTest);

namespace {

TEST(SqlDialect, ParametersBecomeNumberedOutsideQuotesAndComments) {
  int count = 0;
  EXPECT_EQ(sql_dialect::to_postgres_parameters("SELECT ? , ?", &count), "SELECT $1 , $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(sql_dialect::to_postgres_parameters("a = ?2 OR b = ?1 OR c = ?2", &count),
            "a = $2 OR b = $1 OR c = $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(sql_dialect::to_postgres_parameters("SELECT '?', \"a?\", ? -- why?\n, ?", &count),
            "SELECT '?', \"a?\", $1 -- why?\n, $2");
  EXPECT_EQ(sql_dialect::to_postgres_parameters("SELECT 'it''s ?', ? /* ? */", &count),
            "SELECT 'it''s ?', $1 /* ? */");
  EXPECT_EQ(count, 1);
  expect_error(ErrorCode::kInternal, [] { sql_dialect::to_postgres_parameters("? ?1"); });
}

TEST(PostgresUrl, IsRecognisedAndItsPasswordNeverShown) {
  EXPECT_TRUE(is_postgres_url("postgresql://u@h/db"));
  EXPECT_TRUE(is_postgres_url("postgres://h/db"));
  EXPECT_FALSE(is_postgres_url("/data/project"));
  EXPECT_EQ(redact_postgres_url("postgresql://ann:secret@db.example:5432/cards"),
            "postgresql://ann:***@db.example:5432/cards");
  EXPECT_EQ(redact_postgres_url("postgresql://ann@h/cards"), "postgresql://ann@h/cards");
  EXPECT_EQ(redact_postgres_url("postgresql://h:5432/cards"), "postgresql://h:5432/cards");
}

// A PostgreSQL database of its own, or a skip where there is no server.
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PostgresServer& server = PostgresServer::shared();
    if (!server.available()) GTEST_SKIP() << server.why_unavailable();
    url_ = server.create_database();
  }
  void TearDown() override {
    if (!url_.empty()) PostgresServer::shared().drop_database(url_);
  }
  StoreOptions options() const {
    StoreOptions options;
    options.database = url_;
    return options;
  }
  TempDir temp_;
  std::string url_;
};

// Tables and columns with their types, as information_schema lists them.
std::set<std::string> postgres_schema(Database& db) {
  std::set<std::string> names;
  auto columns = db.prepare(
      "SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable "
      "FROM information_schema.columns WHERE table_schema = current_schema()");
  while (columns.step()) names.insert(columns.text(0));
  auto indexes = db.prepare("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()");
  while (indexes.step()) names.insert(indexes.text(0));
  return names;
}

TEST_F(PostgresTest, MigrationsBuildTheSameVersionFromEveryEarlierOne) {
  auto reference = open_postgres(url_);
  EXPECT_EQ(reference->user_version(), 0);
  EXPECT_EQ(apply_migrations(*reference), latest_schema_version());
  EXPECT_EQ(reference->user_version(), latest_schema_version());
  EXPECT_EQ(apply_migrations(*reference), 0);
  const auto expected = postgres_schema(*reference);
  for (const char* table : {"project", "category", "image", "annotation", "label_event", "query",
                            "model", "job", "user", "lease", "session", "proposal", "round"}) {
    EXPECT_TRUE(expected.count(std::string(table) + ".id:bigint:NO") ||
                expected.count(std::string(table) + ".image_id:bigint:NO") ||
                expected.count(std::string(table) + ".token_hash:text:NO"))
        << table;
  }
  PostgresServer& server = PostgresServer::shared();
  for (int start = 0; start < latest_schema_version(); ++start) {
    const std::string url = server.create_database();
    {
      auto db = open_postgres(url);
      EXPECT_EQ(apply_migrations(*db, start), start);
      EXPECT_EQ(db->user_version(), start);
    }
    auto db = open_postgres(url);
    EXPECT_EQ(apply_migrations(*db), latest_schema_version() - start) << "from " << start;
    EXPECT_EQ(postgres_schema(*db), expected) << "from " << start;
    db.reset();
    server.drop_database(url);
  }
}

// The round table's migration reads rounds back from train jobs' params on PostgreSQL too.
TEST_F(PostgresTest, RoundsOfAVersionSixDatabaseAreReadBackFromTheirTrainJobs) {
  auto db = open_postgres(url_);
  apply_migrations(*db, 6);
  db->exec(
      "INSERT INTO job (kind, state, params, created_at) VALUES"
      "  ('train', 'done', '{\"round_after_event\": 5}', 't1'),"
      "  ('train', 'done', '{\"steps\": 3}', 't2'),"
      "  ('score', 'done', '{\"round_after_event\": 7}', 't3'),"
      "  ('train', 'done', '{\"round_after_event\": \"x\"}', 't4');");
  apply_migrations(*db);
  auto select = db->prepare("SELECT after_event, train_job_id FROM round ORDER BY id");
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.int64(0), 5);
  EXPECT_EQ(select.int64(1), 1);
  EXPECT_FALSE(select.step());
}

TEST_F(PostgresTest, MigratingAVersionFiveDatabaseCountsItsAuditSetAndServedImages) {
  {
    auto db = open_postgres(url_);
    apply_migrations(*db, 5);
    db->exec(kVersionFiveImagesAndLeases);
  }
  auto db = open_postgres(url_);
  apply_migrations(*db);
  auto counts = db->prepare(next_image_sql::served_counts(Dialect::kPostgres));
  ASSERT_TRUE(counts.step());
  EXPECT_EQ(counts.int64(0), kVersionFiveAudit);
  EXPECT_EQ(counts.int64(1), kVersionFiveServed);
}

// Each statement text is prepared once per connection and run from then on by name, also
// inside transactions, after a failed statement, and after a migration drops what was prepared.
TEST_F(PostgresTest, StatementsArePreparedOncePerConnectionAndRunAgainByName) {
  auto db = PostgresDatabase::open(url_);
  const auto add = [&](int a, int b) {
    auto select = db->prepare("SELECT CAST(? AS bigint) + CAST(? AS bigint)");
    select.bind_all(a, b);
    EXPECT_TRUE(select.step());
    return select.int64(0);
  };
  const std::size_t before = db->prepared_count();
  EXPECT_EQ(add(1, 2), 3);
  EXPECT_EQ(db->prepared_count(), before + 1);
  EXPECT_EQ(add(40, 2), 42);  // the same text: run by name, nothing new prepared
  EXPECT_EQ(db->prepared_count(), before + 1);
  db->transaction(TransactionKind::kWrite, [&] { EXPECT_EQ(add(5, 5), 10); });
  // A statement that fails inside a transaction rolls it back and leaves the cache usable.
  expect_error(ErrorCode::kInvalidArgument, [&] {
    db->transaction(TransactionKind::kWrite, [&] {
      EXPECT_EQ(add(1, 0), 1);
      db->prepare("SELECT 1 / 0").step();
    });
  });
  expect_error(ErrorCode::kInvalidArgument, [&] { db->prepare("SELECT 1 / 0").step(); });
  EXPECT_EQ(add(2, 2), 4);
  // A migration forgets them (a table's columns may have changed under them); they come back on
  // their next use.
  apply_migrations(*db);
  const std::size_t migrated = db->prepared_count();  // the version reads after the last step
  EXPECT_EQ(add(3, 4), 7);
  EXPECT_EQ(db->prepared_count(), migrated + 1);
  // A connection the server ended: the statement after the failure runs on the connection
  // libpqxx restores, which prepares it again.
  auto other = open_postgres(url_);
  auto pid = db->prepare("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.step());
  other->prepare("SELECT pg_terminate_backend(CAST(? AS integer))").bind_all(pid.int64(0)).run();
  // The statements that find it broken fail with kIo (libpqxx 6 takes a call or two to restore
  // it); then the statement runs again, prepared anew on the new session.
  std::optional<std::int64_t> sum;
  for (int attempt = 0; attempt < 5 && !sum; ++attempt) {
    try {
      sum = add(6, 1);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kIo) << e.what();
    }
  }
  EXPECT_EQ(sum, 7);
}

TEST_F(PostgresTest, ADatabaseHoldsOneProjectAndKeepsItAcrossOpens) {
  {
    auto store =
        Store::create(temp_.path() / "cards", "cards", {Category{0, "ace", "a", "", 0}}, options());
    EXPECT_TRUE(store->uses_postgres());
    EXPECT_TRUE(std::filesystem::is_directory(store->image_dir()));
    // The folder holds images and models only: no SQLite file beside them.
    EXPECT_FALSE(std::filesystem::exists(temp_.path() / "cards" / Store::kDatabaseFile));
    store->add_image("a.jpg", "sha_a", 10, 10);
  }
  expect_error(ErrorCode::kAlreadyExists,
               [&] { Store::create(temp_.path() / "other", "second", {}, options()); });
  auto store = Store::open(temp_.path() / "cards", options());
  EXPECT_EQ(store->name(), "cards");
  EXPECT_EQ(store->images().size(), 1u);
  EXPECT_EQ(store->schema_version(), latest_schema_version());
}

TEST_F(PostgresTest, AMissingDatabaseIsNotFoundAndANewerSchemaIsRefused) {
  StoreOptions missing;
  missing.database = PostgresServer::shared().missing_database_url();
  std::filesystem::create_directories(temp_.path() / "p");
  expect_error(ErrorCode::kNotFound, [&] { Store::open(temp_.path() / "p", missing); });
  // A folder, but an empty database: no project in it.
  expect_error(ErrorCode::kCorrupt, [&] { Store::open(temp_.path() / "p", options()); });
  open_postgres(url_)->set_user_version(latest_schema_version() + 1);
  expect_error(ErrorCode::kUnsupported, [&] { Store::open(temp_.path() / "p", options()); });
}

TEST_F(PostgresTest, ConcurrentConflictingWritesAreBusyNotLost) {
  auto store =
      Store::create(temp_.path() / "cards", "cards", {Category{0, "ace", "a", "", 0}}, options());
  const Image image = store->add_image("a.jpg", "sha_a", 10, 10);
  // Two processes (two connections) in SERIALIZABLE transactions, both reading the image's version
  // and then writing it: the second to commit cannot be ordered after the first and is refused.
  auto first = open_postgres(url_);
  auto second = open_postgres(url_);
  first->exec("BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT version FROM image WHERE id = 1");
  second->exec("BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT version FROM image WHERE id = 1");
  first->exec("UPDATE image SET version = 1 WHERE id = 1; COMMIT");
  expect_error(ErrorCode::kBusy, [&] {
    second->exec("UPDATE image SET version = 1 WHERE id = 1");
    second->exec("COMMIT");
  });
  second->exec("ROLLBACK");
  EXPECT_EQ(store->image(image.id)->version, 1);
}

TEST_F(PostgresTest, ADatabaseLockIsOneProcessesAtATimeAndGoesWithItsHolder) {
  auto first = Store::create(temp_.path() / "cards", "cards", {}, options());
  auto second = Store::open(temp_.path() / "cards", options());
  auto held = first->try_database_lock("train");
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(second->try_database_lock("train"), nullptr);  // another process holds it
  EXPECT_NE(second->try_database_lock("other"), nullptr);  // a lock of another name is free
  held.reset();                                            // released (as by a dying process)
  EXPECT_NE(second->try_database_lock("train"), nullptr);
}

TEST(DatabaseLock, IsPostgresOnly) {
  TempDir temp;
  auto store = Store::create(temp.path() / "p", "p", {});
  expect_error(ErrorCode::kUnsupported, [&] { store->try_database_lock("train"); });
}

}  // namespace
}  // namespace boxloop::testing
