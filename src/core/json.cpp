#include "core/json.h"

#include "core/error.h"

namespace boxloop {

void to_json(Json& j, const Box& box) {
  j = Json{{"x", box.x}, {"y", box.y}, {"w", box.w}, {"h", box.h}};
}

void from_json(const Json& j, Box& box) {
  if (!j.is_object()) throw Error(ErrorCode::kInvalidArgument, "a box must be an object {x,y,w,h}");
  for (const char* key : {"x", "y", "w", "h"}) {
    if (!j.contains(key) || !j.at(key).is_number()) {
      throw Error(ErrorCode::kInvalidArgument, std::string("a box needs a number '") + key + "'");
    }
  }
  box = Box{j.at("x").get<double>(), j.at("y").get<double>(), j.at("w").get<double>(),
            j.at("h").get<double>()};
}

void to_json(Json& j, const Category& category) {
  j = Json{{"id", category.id},
           {"name", category.name},
           {"hotkey", category.hotkey},
           {"color", category.color},
           {"position", category.position}};
}

void to_json(Json& j, const Image& image) {
  j = Json{{"id", image.id},
           {"path", image.path},
           {"sha256", image.sha256},
           {"width", image.width},
           {"height", image.height},
           {"added_at", image.added_at},
           {"status", to_string(image.status)},
           {"version", image.version}};
}

void to_json(Json& j, const Annotation& annotation) {
  j = Json{{"id", annotation.id},
           {"category_id", annotation.category_id},
           {"box", annotation.box},
           {"source", to_string(annotation.source)}};
  j["score"] = annotation.score ? Json(*annotation.score) : Json(nullptr);
  j["origin"] = to_string(annotation.origin);
}

void to_json(Json& j, const Proposal& proposal) {
  j = Json{{"category_id", proposal.category_id},
           {"x", proposal.box.x},
           {"y", proposal.box.y},
           {"w", proposal.box.w},
           {"h", proposal.box.h},
           {"score", proposal.score}};
}

void to_json(Json& j, const Effort& effort) {
  j = Json{{"active_seconds", effort.active_seconds ? Json(*effort.active_seconds) : Json(nullptr)},
           {"drawn", effort.drawn},
           {"accepted", effort.accepted},
           {"adjusted", effort.adjusted},
           {"rejected", effort.rejected}};
}

void to_json(Json& j, const Detection& detection) {
  j = Json{{"box", detection.box},
           {"class_index", detection.class_index},
           {"score", detection.score},
           {"class_probs", detection.class_probs}};
}

void from_json(const Json& j, Detection& detection) {
  detection.box = j.at("box").get<Box>();
  detection.class_index = j.at("class_index").get<int>();
  detection.score = j.at("score").get<float>();
  detection.class_probs = j.at("class_probs").get<std::vector<float>>();
}

void to_json(Json& j, const NamedBox& box) {
  j = Json{{"category", box.category}, {"box", box.box}};
}

}  // namespace boxloop
