#include "store/next_image_sql.h"

#include "store/rows.h"

namespace boxloop::next_image_sql {
namespace {

using store_rows::kImageColumns;

// Nobody holds a live lease on the image (expired ones are deleted first) and the caller did not
// exclude it.
constexpr const char* kFree = R"sql(
  AND NOT EXISTS (SELECT 1 FROM lease WHERE lease.image_id = image.id)
  AND image.id NOT IN (SELECT value FROM json_each(?1)))sql";

// INDEXED BY makes a statement fail to prepare, rather than fall back to a scan, should the
// index ever stop fitting it.
constexpr const char* kAuditCandidates =
    " FROM image INDEXED BY image_by_audit"
    " WHERE image.audit = 0 AND image.status = 'unlabeled'";

}  // namespace

// CROSS JOIN keeps lease the outer table (SQLite does not reorder it): the few leases drive
// the join, not the many unlabeled images.
std::string held() {
  return std::string("SELECT ") + kImageColumns + R"sql(
    FROM lease CROSS JOIN image ON image.id = lease.image_id
    WHERE lease.labeler = ?2 AND image.status = 'unlabeled'
      AND image.id NOT IN (SELECT value FROM json_each(?1))
    ORDER BY lease.image_id LIMIT 1)sql";
}

std::string pending_audit() {
  return std::string("SELECT ") + kImageColumns +
         " FROM image INDEXED BY image_by_audit"
         " WHERE image.audit = 1 AND image.status = 'unlabeled'" +
         kFree + " ORDER BY image.id LIMIT 1";
}

std::string served_counts() {
  // Disjoint parts, each counted from an index rather than by reading every image row.
  return R"sql(
    SELECT
      (SELECT COUNT(*) FROM image WHERE audit = 1 AND status != 'skipped'),
      (SELECT COUNT(*) FROM image WHERE status IN ('labeled', 'skipped'))
      + (SELECT COUNT(*) FROM image WHERE audit = 1 AND status = 'unlabeled')
      + (SELECT COUNT(*) FROM lease CROSS JOIN image ON image.id = lease.image_id
           WHERE image.audit = 0 AND image.status = 'unlabeled'))sql";
}

std::string audit_candidates_count() {
  return std::string("SELECT COUNT(*)") + kAuditCandidates + kFree;
}

std::string audit_candidate() {
  return std::string("SELECT ") + kImageColumns + kAuditCandidates + kFree +
         " ORDER BY image.id LIMIT 1 OFFSET ?2";
}

std::string queued() {
  return std::string("SELECT ") + kImageColumns +
         " FROM image INDEXED BY image_unlabeled_by_queue_rank"
         " WHERE image.status = 'unlabeled' AND image.queue_rank IS NOT NULL" +
         kFree + " ORDER BY image.queue_rank LIMIT 1";
}

std::string imported() {
  return std::string("SELECT ") + kImageColumns +
         " FROM image INDEXED BY image_by_status WHERE image.status = 'unlabeled'" + kFree +
         " ORDER BY image.id LIMIT 1";
}

}  // namespace boxloop::next_image_sql
