#include "store/next_image_sql.h"

#include "store/rows.h"
#include "store/sql_dialect.h"

namespace boxloop::next_image_sql {
namespace {

using sql_dialect::indexed_by;
using sql_dialect::ordered_join;
using store_rows::kImageColumns;

// The caller did not exclude the image.
std::string not_excluded(Dialect dialect) {
  return " AND image.id NOT IN (" + sql_dialect::json_integers(dialect, 1) + ")";
}

// Nobody holds a live lease on the image (expired ones are deleted first) and the caller did not
// exclude it.
std::string free(Dialect dialect) {
  return " AND NOT EXISTS (SELECT 1 FROM lease WHERE lease.image_id = image.id)" +
         not_excluded(dialect);
}

// INDEXED BY (SQLite) makes a statement fail to prepare, rather than fall back to a scan, should
// the index ever stop fitting it.
std::string audit_candidates(Dialect dialect) {
  return " FROM image" + indexed_by(dialect, "image_by_audit") +
         " WHERE image.audit = 0 AND image.status = 'unlabeled'";
}

}  // namespace

// The join keeps lease the outer table: the few leases drive the join, not the many unlabeled
// images.
std::string held(Dialect dialect) {
  return std::string("SELECT ") + kImageColumns + " FROM lease " + ordered_join(dialect) +
         " image ON image.id = lease.image_id"
         " WHERE lease.labeler = ?2 AND image.status = 'unlabeled'" +
         not_excluded(dialect) + " ORDER BY lease.image_id LIMIT 1";
}

std::string pending_audit(Dialect dialect, Locked locked) {
  return std::string("SELECT ") + kImageColumns + " FROM image" +
         indexed_by(dialect, "image_by_audit") +
         " WHERE image.audit = 1 AND image.status = 'unlabeled'" + free(dialect) +
         " ORDER BY image.id LIMIT 1" +
         sql_dialect::lock_referenced(dialect, locked == Locked::kSkip);
}

std::string served_counts(Dialect) {
  // Kept by triggers (migrations 6 and 9): a few rows summed, however many images the project
  // holds.
  return "SELECT CAST(coalesce(sum(audit), 0) AS BIGINT), CAST(coalesce(sum(served), 0) AS BIGINT)"
         " FROM audit_count";
}

std::string audit_candidates_count(Dialect dialect) {
  return "SELECT COUNT(*)" + audit_candidates(dialect) + free(dialect);
}

std::string audit_candidate(Dialect dialect) {
  return std::string("SELECT ") + kImageColumns + audit_candidates(dialect) + free(dialect) +
         " ORDER BY image.id LIMIT 1 OFFSET ?2";
}

std::string image_id_range(Dialect) {
  // Apart, each is one step to an end of the primary key; together in one SELECT, SQLite scans.
  return "SELECT (SELECT min(id) FROM image), (SELECT max(id) FROM image)";
}

std::string images_at(Dialect dialect) {
  // The primary key alone: with a test of status or audit in the WHERE clause PostgreSQL may walk
  // image_by_audit, every unlabeled image, to find the few ids (it does on fresh statistics).
  const std::string among = dialect == Dialect::kSqlite
                                ? "image.id IN (SELECT value FROM json_each(?1))"
                                : "image.id = ANY (CAST(?1 AS bigint[]))";
  return "SELECT EXISTS (SELECT 1 FROM lease WHERE lease.image_id = image.id), " +
         std::string(kImageColumns) + " FROM image WHERE " + among;
}

std::string id_list(Dialect dialect, const std::vector<std::int64_t>& ids) {
  std::string list = sql_dialect::postgres_array(ids);
  if (dialect == Dialect::kSqlite) {  // the same numbers as a JSON array
    list.front() = '[';
    list.back() = ']';
  }
  return list;
}

std::string queued(Dialect dialect, Locked locked) {
  return std::string("SELECT ") + kImageColumns + " FROM image" +
         indexed_by(dialect, "image_unlabeled_by_queue_rank") +
         " WHERE image.status = 'unlabeled' AND image.queue_rank IS NOT NULL" + free(dialect) +
         " ORDER BY image.queue_rank LIMIT 1" +
         sql_dialect::lock_referenced(dialect, locked == Locked::kSkip);
}

std::string imported(Dialect dialect, Locked locked) {
  return std::string("SELECT ") + kImageColumns + " FROM image" +
         indexed_by(dialect, "image_by_status") + " WHERE image.status = 'unlabeled'" +
         free(dialect) + " ORDER BY image.id LIMIT 1" +
         sql_dialect::lock_referenced(dialect, locked == Locked::kSkip);
}

std::string claim_audit_candidate(Dialect dialect) {
  // The test again, in a statement of its own: READ COMMITTED, it sees a save committed since the
  // draw looked, and the lock keeps one from committing until the lease and the mark have.
  return std::string("SELECT id FROM image WHERE id = ?1 AND status = 'unlabeled' AND audit = 0") +
         sql_dialect::lock_referenced(dialect);
}

std::string lease(Dialect) {
  // The unique image key is the guard: of two transactions leasing one image, the second waits
  // for the first and then changes no row, unless the lease it finds is its own labeler's or has
  // run out.
  return "INSERT INTO lease (image_id, labeler, expires_at) VALUES (?1, ?2, ?3) "
         "ON CONFLICT (image_id) DO UPDATE SET labeler = excluded.labeler, "
         "expires_at = excluded.expires_at "
         "WHERE lease.labeler = excluded.labeler OR lease.expires_at <= ?4";
}

}  // namespace boxloop::next_image_sql
