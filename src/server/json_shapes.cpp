#include "server/json_shapes.h"

#include "loop/state/proposals.h"

namespace boxloop::server {

Json label_event_json(const LabelEvent& event) {
  Json j{{"id", event.id},
         {"image_id", event.image_id},
         {"labeler", event.labeler},
         {"comment", event.comment},
         {"status", to_string(event.status)},
         {"box_count", event.box_count},
         {"created_at", event.created_at},
         {"version", event.version},
         {"model_id", event.model_id ? Json(*event.model_id) : Json(nullptr)}};
  // The effort figures sit beside the rest: {active_seconds, drawn, accepted, adjusted, rejected}.
  j.update(Json(event.effort));
  return j;
}

Json job_json(const Job& job) {
  auto optional_text = [](const std::string& text) { return text.empty() ? Json() : Json(text); };
  return Json{{"id", job.id},
              {"kind", to_string(job.kind)},
              {"state", to_string(job.state)},
              {"progress", job.progress},
              {"message", job.message},
              {"params", job.params},
              {"created_at", job.created_at},
              {"started_at", optional_text(job.started_at)},
              {"finished_at", optional_text(job.finished_at)},
              {"error", optional_text(job.error)},
              {"cancel_requested", job.cancel_requested},
              {"worker", optional_text(job.worker)},
              {"heartbeat_at", optional_text(job.heartbeat_at)},
              {"parent_id", job.parent ? Json(*job.parent) : Json()}};
}

Json model_json(const ModelRecord& model) {
  return Json{{"id", model.id},
              {"arch", model.arch},
              {"weights_path", model.weights_path},
              {"parent", model.parent ? Json(*model.parent) : Json()},
              {"trained_on", model.trained_on},
              {"metrics", model.metrics},
              {"created_at", model.created_at}};
}

Json user_json(const User& user) {
  return Json{{"name", user.name}, {"role", to_string(user.role)}};
}

Json counts_json(Store& store) {
  const ImageCounts images = store.image_counts();
  Json categories = Json::array();
  for (const CategoryCount& count : store.category_counts()) {
    categories.push_back(Json{{"id", count.category.id},
                              {"name", count.category.name},
                              {"color", count.category.color},
                              {"boxes", count.boxes},
                              {"images", count.images}});
  }
  return Json{{"images",
               {{"total", images.total},
                {"unlabeled", images.unlabeled},
                {"labeled", images.labeled},
                {"skipped", images.skipped}}},
              {"categories", categories}};
}

Json image_with_annotations(Store& store, const Image& image) {
  const loop::ImageProposals proposals = loop::proposals_for(store, image);
  return Json{
      {"image", image},
      {"annotations", store.annotations(image.id)},
      {"proposals", proposals.proposals},
      {"proposal_model_id", proposals.model_id ? Json(*proposals.model_id) : Json(nullptr)}};
}

Json no_image_json() {
  return Json{{"image", nullptr},
              {"annotations", Json::array()},
              {"proposals", Json::array()},
              {"proposal_model_id", nullptr}};
}

}  // namespace boxloop::server
