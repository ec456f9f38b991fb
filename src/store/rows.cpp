#include "store/rows.h"

#include "core/error.h"

namespace boxloop::store_rows {

namespace {

// x, y, w, h in four columns from `first`, as annotation and proposal rows both hold a box.
Box read_box(const Statement& row, int first) {
  return Box{row.real(first), row.real(first + 1), row.real(first + 2), row.real(first + 3)};
}

}  // namespace

Image read_image(const Statement& row, int first) {
  Image image;
  image.id = row.int64(first);
  image.path = row.text(first + 1);
  image.sha256 = row.text(first + 2);
  image.width = row.integer(first + 3);
  image.height = row.integer(first + 4);
  image.added_at = row.text(first + 5);
  image.status = image_status_from_string(row.text(first + 6));
  image.version = row.integer(first + 7);
  image.audit = row.integer(first + 8) != 0;
  return image;
}

Category read_category(const Statement& row, int first) {
  Category category;
  category.id = row.int64(first);
  category.name = row.text(first + 1);
  category.hotkey = row.text(first + 2);
  category.color = row.text(first + 3);
  category.position = row.integer(first + 4);
  return category;
}

Annotation read_annotation(const Statement& row, int first) {
  Annotation annotation;
  annotation.id = row.int64(first);
  annotation.image_id = row.int64(first + 1);
  annotation.category_id = row.int64(first + 2);
  annotation.box = read_box(row, first + 3);
  annotation.source = box_source_from_string(row.text(first + 7));
  annotation.score = row.optional_real(first + 8);
  annotation.origin = box_origin_from_string(row.text(first + 9));
  return annotation;
}

Proposal read_proposal(const Statement& row, int first) {
  Proposal proposal;
  proposal.image_id = row.int64(first);
  proposal.model_id = row.int64(first + 1);
  proposal.category_id = row.int64(first + 2);
  proposal.box = read_box(row, first + 3);
  proposal.score = row.real(first + 7);
  return proposal;
}

LabelEvent read_label_event(const Statement& row, int first) {
  LabelEvent event;
  event.id = row.int64(first);
  event.image_id = row.int64(first + 1);
  event.labeler = row.text(first + 2);
  event.comment = row.text(first + 3);
  event.status = image_status_from_string(row.text(first + 4));
  event.box_count = row.integer(first + 5);
  event.created_at = row.text(first + 6);
  event.version = row.integer(first + 7);
  event.effort.active_seconds = row.optional_real(first + 8);
  event.effort.drawn = row.integer(first + 9);
  event.effort.accepted = row.integer(first + 10);
  event.effort.adjusted = row.integer(first + 11);
  event.effort.rejected = row.integer(first + 12);
  event.model_id = row.optional_int64(first + 13);
  return event;
}

ModelRecord read_model(const Statement& row, int first) {
  ModelRecord model;
  model.id = row.int64(first);
  model.arch = row.text(first + 1);
  model.weights_path = row.text(first + 2);
  model.parent = row.optional_int64(first + 3);
  model.trained_on = row.integer(first + 4);
  model.metrics =
      parse_json_column(row.text(first + 5), "metrics of model " + std::to_string(model.id));
  model.created_at = row.text(first + 6);
  return model;
}

Job read_job(const Statement& row, int first) {
  Job job;
  job.id = row.int64(first);
  job.kind = job_kind_from_string(row.text(first + 1));
  job.state = job_state_from_string(row.text(first + 2));
  job.progress = row.real(first + 3);
  job.message = row.text(first + 4);
  job.params = parse_json_column(row.text(first + 5), "params of job " + std::to_string(job.id));
  job.created_at = row.text(first + 6);
  job.started_at = row.text(first + 7);
  job.finished_at = row.text(first + 8);
  job.error = row.text(first + 9);
  job.cancel_requested = row.int64(first + 10) != 0;
  job.worker = row.text(first + 11);
  job.heartbeat_at = row.text(first + 12);
  job.parent = row.optional_int64(first + 13);
  return job;
}

Json parse_json_column(const std::string& text, const std::string& what) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw Error(ErrorCode::kCorrupt, "unreadable JSON in " + what);
  return json;
}

}  // namespace boxloop::store_rows
