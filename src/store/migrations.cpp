#include "store/migrations.h"

#include <spdlog/spdlog.h>

#include <array>
#include <string>

#include "core/error.h"
#include "store/database.h"

namespace boxloop {
namespace {

struct Migration {
  const char* description;
  const char* sql;
};

// Timestamps are ISO 8601 UTC text (core/time.h), which sorts as time. JSON columns hold text.
constexpr std::array kMigrations = {
    Migration{"data model of DESIGN.md", R"sql(
CREATE TABLE project (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  settings   TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE category (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  hotkey   TEXT NOT NULL DEFAULT '',
  color    TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL
);
CREATE TABLE image (
  id       INTEGER PRIMARY KEY,
  path     TEXT NOT NULL UNIQUE,
  sha256   TEXT NOT NULL UNIQUE,
  width    INTEGER NOT NULL CHECK (width > 0),
  height   INTEGER NOT NULL CHECK (height > 0),
  added_at TEXT NOT NULL,
  status   TEXT NOT NULL DEFAULT 'unlabeled' CHECK (status IN ('unlabeled', 'labeled', 'skipped')),
  version  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX image_by_status ON image (status, id);
CREATE TABLE annotation (
  id          INTEGER PRIMARY KEY,
  image_id    INTEGER NOT NULL REFERENCES image (id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES category (id),
  x           REAL NOT NULL,
  y           REAL NOT NULL,
  w           REAL NOT NULL CHECK (w > 0),
  h           REAL NOT NULL CHECK (h > 0),
  source      TEXT NOT NULL DEFAULT 'human' CHECK (source IN ('human', 'model')),
  score       REAL
);
CREATE INDEX annotation_by_image ON annotation (image_id);
CREATE INDEX annotation_by_category ON annotation (category_id);
CREATE TABLE label_event (
  id         INTEGER PRIMARY KEY,
  image_id   INTEGER NOT NULL REFERENCES image (id) ON DELETE CASCADE,
  labeler    TEXT NOT NULL,
  comment    TEXT NOT NULL DEFAULT '',
  status     TEXT NOT NULL CHECK (status IN ('unlabeled', 'labeled', 'skipped')),
  box_count  INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  version    INTEGER NOT NULL
);
CREATE INDEX label_event_by_image ON label_event (image_id, id);
CREATE INDEX label_event_by_labeler ON label_event (labeler, id);
CREATE TABLE model (
  id           INTEGER PRIMARY KEY,
  arch         TEXT NOT NULL,
  weights_path TEXT NOT NULL,
  parent_id    INTEGER REFERENCES model (id),
  trained_on   INTEGER NOT NULL DEFAULT 0,
  metrics      TEXT NOT NULL DEFAULT '{}',
  created_at   TEXT NOT NULL
);
CREATE TABLE query (
  image_id    INTEGER PRIMARY KEY REFERENCES image (id) ON DELETE CASCADE,
  model_id    INTEGER REFERENCES model (id),
  strategy    TEXT NOT NULL,
  uncertainty REAL NOT NULL,
  rank        INTEGER NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX query_by_rank ON query (rank);
CREATE TABLE job (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('train', 'score', 'detect', 'import', 'export')),
  state       TEXT NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  progress    REAL NOT NULL DEFAULT 0,
  message     TEXT NOT NULL DEFAULT '',
  params      TEXT NOT NULL DEFAULT '{}',
  created_at  TEXT NOT NULL,
  started_at  TEXT,
  finished_at TEXT,
  error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_by_state ON job (state, id);
CREATE TABLE user (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'labeler')),
  password_hash TEXT,
  token_hash    TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL
);
)sql"},
    Migration{"leases, login sessions, job cancellation", R"sql(
CREATE TABLE lease (
  image_id   INTEGER PRIMARY KEY REFERENCES image (id) ON DELETE CASCADE,
  labeler    TEXT NOT NULL,
  expires_at INTEGER NOT NULL  -- Unix time in milliseconds
);
CREATE INDEX lease_by_labeler ON lease (labeler);
CREATE TABLE session (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL
);
ALTER TABLE job ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
)sql"},
    Migration{"audit set", R"sql(
ALTER TABLE image ADD COLUMN audit INTEGER NOT NULL DEFAULT 0 CHECK (audit IN (0, 1));
CREATE INDEX image_by_audit ON image (audit, status);
)sql"},
    // Boxes saved before proposals existed were all drawn by hand; their events measured no time
    // (active_seconds NULL), so effort figures leave them out.
    Migration{"proposals and labeling effort", R"sql(
CREATE TABLE proposal (
  id          INTEGER PRIMARY KEY,
  image_id    INTEGER NOT NULL REFERENCES image (id) ON DELETE CASCADE,
  model_id    INTEGER NOT NULL REFERENCES model (id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES category (id),
  x           REAL NOT NULL,
  y           REAL NOT NULL,
  w           REAL NOT NULL CHECK (w > 0),
  h           REAL NOT NULL CHECK (h > 0),
  score       REAL NOT NULL CHECK (score >= 0 AND score <= 1)
);
CREATE INDEX proposal_by_image ON proposal (image_id, score DESC);
ALTER TABLE annotation ADD COLUMN origin TEXT NOT NULL DEFAULT 'drawn'
  CHECK (origin IN ('drawn', 'accepted', 'adjusted'));
ALTER TABLE label_event ADD COLUMN active_seconds REAL CHECK (active_seconds >= 0);
ALTER TABLE label_event ADD COLUMN drawn INTEGER NOT NULL DEFAULT 0 CHECK (drawn >= 0);
ALTER TABLE label_event ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0 CHECK (accepted >= 0);
ALTER TABLE label_event ADD COLUMN adjusted INTEGER NOT NULL DEFAULT 0 CHECK (adjusted >= 0);
ALTER TABLE label_event ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0 CHECK (rejected >= 0);
ALTER TABLE label_event ADD COLUMN model_id INTEGER REFERENCES model (id);
UPDATE label_event SET drawn = box_count;
)sql"},
    // The next image without sorting every unlabeled one (Store::next_image): each image carries
    // its rank in the current queue (NULL when not queued; replace_queue writes it with the
    // query rows), so the unlabeled queued images sit in one partial index in queue order, and
    // unlabeled ones in import order are image_by_status. Expired leases are found by expiry.
    Migration{"indexes for the next image", R"sql(
ALTER TABLE image ADD COLUMN queue_rank INTEGER;
UPDATE image SET queue_rank = (SELECT rank FROM query WHERE query.image_id = image.id);
CREATE INDEX image_unlabeled_by_queue_rank ON image (queue_rank)
  WHERE status = 'unlabeled' AND queue_rank IS NOT NULL;
CREATE INDEX lease_by_expiry ON lease (expires_at);
)sql"},
};

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

int apply_migrations(Database& db, int target) {
  const int latest = latest_schema_version();
  if (target < 0 || target > latest) target = latest;
  int applied = 0;
  for (;;) {
    // Read the version inside the write transaction: another process may be migrating too.
    const bool more = db.transaction(TransactionKind::kWrite, [&] {
      const int version = db.user_version();
      if (version > latest) {
        throw Error(ErrorCode::kUnsupported, db.file().string() + " has schema version " +
                                                 std::to_string(version) +
                                                 ", newer than this boxloop understands (" +
                                                 std::to_string(latest) + "): upgrade boxloop");
      }
      if (version >= target) return false;
      const Migration& migration = kMigrations[static_cast<std::size_t>(version)];
      db.exec(migration.sql);
      db.exec("PRAGMA user_version = " + std::to_string(version + 1));
      spdlog::info("{}: schema migrated to version {} ({})", db.file().string(), version + 1,
                   migration.description);
      ++applied;
      return true;
    });
    if (!more) return applied;
  }
}

}  // namespace boxloop
