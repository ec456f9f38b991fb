// Column lists and row readers shared by the Store's .cpp files (internal to store/). Each
// k*Columns string matches the read_* function that decodes it, column for column.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/types.h"
#include "store/database.h"
#include "store/store.h"

namespace boxloop::store_rows {

inline constexpr const char* kImageColumns =
    "image.id, image.path, image.sha256, image.width, image.height, image.added_at, "
    "image.status, image.version, image.audit";
Image read_image(const Statement& row, int first = 0);

inline constexpr const char* kCategoryColumns =
    "category.id, category.name, category.hotkey, category.color, category.position";
Category read_category(const Statement& row, int first = 0);

inline constexpr const char* kAnnotationColumns =
    "annotation.id, annotation.image_id, annotation.category_id, annotation.x, annotation.y, "
    "annotation.w, annotation.h, annotation.source, annotation.score, annotation.origin";
Annotation read_annotation(const Statement& row, int first = 0);

inline constexpr const char* kProposalColumns =
    "proposal.image_id, proposal.model_id, proposal.category_id, proposal.x, proposal.y, "
    "proposal.w, proposal.h, proposal.score";
Proposal read_proposal(const Statement& row, int first = 0);

inline constexpr const char* kLabelEventColumns =
    "label_event.id, label_event.image_id, label_event.labeler, label_event.comment, "
    "label_event.status, label_event.box_count, label_event.created_at, label_event.version, "
    "label_event.active_seconds, label_event.drawn, label_event.accepted, label_event.adjusted, "
    "label_event.rejected, label_event.model_id";
LabelEvent read_label_event(const Statement& row, int first = 0);

inline constexpr const char* kModelColumns =
    "model.id, model.arch, model.weights_path, model.parent_id, model.trained_on, model.metrics, "
    "model.created_at";
ModelRecord read_model(const Statement& row, int first = 0);

inline constexpr const char* kJobColumns =
    "job.id, job.kind, job.state, job.progress, job.message, job.params, job.created_at, "
    "job.started_at, job.finished_at, job.error, job.cancel_requested, job.worker, "
    "job.heartbeat_at, "
    "job.parent_id";
Job read_job(const Statement& row, int first = 0);

// JSON stored as text; a column that does not parse is kCorrupt, naming what it belongs to.
Json parse_json_column(const std::string& text, const std::string& what);

// Unix time in milliseconds, for lease expiry (compared across processes on one machine).
inline std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace boxloop::store_rows
