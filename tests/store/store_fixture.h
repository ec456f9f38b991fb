// A fresh project in a temporary folder for each test, removed afterwards, on each back end: the
// fixture is parameterised by Backend, so every TEST_P(StoreTest, ...) runs on SQLite and on
// PostgreSQL (a database of its own on the test server, common/postgres_server.h; skipped with a
// message where the server binaries are missing).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "common/postgres_server.h"
#include "common/temp_dir.h"
#include "core/error.h"
#include "store/database.h"
#include "store/postgres_database.h"
#include "store/store.h"

namespace boxloop::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// Registers a fixture's TEST_Ps for both back ends (once per fixture, in one file).
#define BOXLOOP_ON_EVERY_BACKEND(fixture)                                             \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture,                                         \
                           ::testing::Values(::boxloop::testing::Backend::kSqlite,    \
                                             ::boxloop::testing::Backend::kPostgres), \
                           ::boxloop::testing::backend_name)

// Skips a test that checks something only one back end has (SQLite's file, its query plans).
#define BOXLOOP_SQLITE_ONLY(why)            \
  if (on_postgres()) {                      \
    GTEST_SKIP() << "SQLite only: " << why; \
  }

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (on_postgres()) {
      PostgresServer& server = PostgresServer::shared();
      if (!server.available()) GTEST_SKIP() << server.why_unavailable();
      options_.database = server.create_database();
    }
    store_ = Store::create(project_dir(), "cards",
                           {Category{0, "nine", "1", "", 0}, Category{0, "ten", "2", "", 0},
                            Category{0, "jack", "3", "", 0}},
                           options_);
  }
  void TearDown() override {
    store_.reset();
    if (on_postgres() && !options_.database.empty()) {
      PostgresServer::shared().drop_database(options_.database);
    }
  }
  bool on_postgres() const { return GetParam() == Backend::kPostgres; }
  // What opens this test's project again (Store::open(project_dir(), store_options())).
  const StoreOptions& store_options() const { return options_; }
  // Another connection to this test's database, as another process would hold.
  std::unique_ptr<Database> open_database(const ConnectionOptions& options = {}) const {
    if (on_postgres()) return open_postgres(options_.database, options);
    return Database::open(project_dir() / Store::kDatabaseFile, /*create=*/false, options);
  }
  std::filesystem::path project_dir() const { return temp_.path() / "project"; }
  Store& store() { return *store_; }
  Id category_id(const std::string& name) { return store_->category_by_name(name).value().id; }

  // An image record with a unique fake path and hash (the store does not read the file).
  Image add_image(int index, int width = 640, int height = 480) {
    return store_->add_image("img_" + std::to_string(index) + ".jpg",
                             "sha_" + std::to_string(index), width, height);
  }

  Annotation box(const std::string& category, double x, double y, double w, double h) {
    Annotation annotation;
    annotation.category_id = category_id(category);
    annotation.box = Box{x, y, w, h};
    return annotation;
  }

  LabelSave save_of(const Image& image, std::vector<Annotation> boxes,
                    const std::string& labeler = "ann") {
    LabelSave save;
    save.image_id = image.id;
    save.expected_version = image.version;
    save.labeler = labeler;
    save.boxes = std::move(boxes);
    return save;
  }

  TempDir temp_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

// Builders: GCC warns on aggregate initialisers that leave members out (-Wextra).
inline Annotation annotation_of(Id category_id, Box box) {
  Annotation annotation;
  annotation.category_id = category_id;
  annotation.box = box;
  return annotation;
}

inline ModelRecord model_of(const std::string& arch, const std::string& weights_path,
                            std::optional<Id> parent = std::nullopt, int trained_on = 0,
                            Json metrics = Json::object()) {
  ModelRecord model;
  model.arch = arch;
  model.weights_path = weights_path;
  model.parent = parent;
  model.trained_on = trained_on;
  model.metrics = std::move(metrics);
  return model;
}

// Images and leases as schema version 5 held them (SQL for both back ends), for the migration
// that counts the audit set and the images served: audit images not skipped are 3 and 6; the
// images served are the labeled, skipped and audit ones (1, 2, 3, 6, 7) and the leased 4.
inline constexpr const char* kVersionFiveImagesAndLeases =
    "INSERT INTO project (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z');"
    "INSERT INTO image (path, sha256, width, height, added_at, status, audit) VALUES"
    "  ('a.jpg', 'h1', 10, 10, 'x', 'labeled', 0), ('b.jpg', 'h2', 10, 10, 'x', 'skipped', 1),"
    "  ('c.jpg', 'h3', 10, 10, 'x', 'unlabeled', 1), ('d.jpg', 'h4', 10, 10, 'x', 'unlabeled', 0),"
    "  ('e.jpg', 'h5', 10, 10, 'x', 'unlabeled', 0), ('f.jpg', 'h6', 10, 10, 'x', 'labeled', 1),"
    "  ('g.jpg', 'h7', 10, 10, 'x', 'skipped', 0);"
    "INSERT INTO lease (image_id, labeler, expires_at) VALUES"
    "  (4, 'ann', 9000000000000), (3, 'bob', 9000000000000), (1, 'cyd', 9000000000000);";
inline constexpr std::int64_t kVersionFiveAudit = 2;
inline constexpr std::int64_t kVersionFiveServed = 6;

// Runs `action` and expects a boxloop::Error with `code`.
template <class F>
void expect_error(ErrorCode code, F&& action) {
  try {
    action();
    ADD_FAILURE() << "expected error " << to_string(code) << ", nothing was thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
  }
}

}  // namespace boxloop::testing
