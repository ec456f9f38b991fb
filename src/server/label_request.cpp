#include "server/label_request.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/error.h"
#include "core/geometry.h"
#include "core/json_read.h"
#include "formats/label_checks.h"
#include "server/limits.h"
#include "server/request_json.h"

namespace boxloop::server {

namespace {

int read_version(const Json& body) {
  return static_cast<int>(required_int(body, "version", 0, std::numeric_limits<int>::max()));
}

std::string read_comment(const Json& body) {
  return optional_string(body, "comment", limits::kMaxCommentBytes).value_or("");
}

// "effort": what the page measured while the labeler worked on the image.
void read_effort(const Json& body, LabelSave& save) {
  const Json* effort = optional_member(body, "effort");
  if (!effort) return;
  if (!effort->is_object()) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string("'effort' must be an object {active_seconds, rejected}, got ") +
                    effort->type_name());
  }
  refuse_unknown_keys(*effort, {"active_seconds", "rejected"}, "effort");
  save.active_seconds =
      required_number(*effort, "active_seconds", 0, limits::kMaxActiveSeconds, "effort");
  if (optional_member(*effort, "rejected")) {
    save.rejected =
        static_cast<int>(required_int(*effort, "rejected", 0, limits::kMaxBoxesPerImage, "effort"));
  }
}

Annotation read_box(const Json& item, std::size_t index, const Image& image,
                    const std::vector<Category>& categories) {
  const std::string where = "box " + std::to_string(index);
  if (!item.is_object()) {
    throw Error(ErrorCode::kInvalidArgument,
                where + ": must be an object {category_id, x, y, w, h}, got " + item.type_name());
  }
  // "id" is the Annotation shape's (GET gives it); a save replaces the boxes, so it is ignored.
  refuse_unknown_keys(
      item, {"category_id", "x", "y", "w", "h", "box", "source", "score", "origin", "id"}, where);
  Annotation annotation;
  annotation.category_id =
      required_int(item, "category_id", 1, std::numeric_limits<std::int64_t>::max(), where);
  const bool known = std::any_of(categories.begin(), categories.end(),
                                 [&](const Category& c) { return c.id == annotation.category_id; });
  if (!known) {
    throw Error(ErrorCode::kInvalidArgument,
                where + ": unknown category_id " + std::to_string(annotation.category_id));
  }
  // The flat shape of docs/api.md, or the nested `box` of an Annotation as GET returns it.
  const Json* nested = optional_member(item, "box");
  if (nested && !nested->is_object()) {
    throw Error(ErrorCode::kInvalidArgument,
                where + ": 'box' must be an object {x, y, w, h}, got " + nested->type_name());
  }
  if (nested) refuse_unknown_keys(*nested, {"x", "y", "w", "h"}, where + ": 'box'");
  const Json& coords = nested ? *nested : item;
  constexpr double kMax = limits::kMaxCoordinate;
  const Box box{required_number(coords, "x", -kMax, kMax, where),
                required_number(coords, "y", -kMax, kMax, where),
                required_number(coords, "w", -kMax, kMax, where),
                required_number(coords, "h", -kMax, kMax, where)};
  if (box.w <= 0 || box.h <= 0) {
    throw Error(ErrorCode::kInvalidArgument, where + ": 'w' and 'h' must be positive");
  }
  annotation.box = clip(box, image.width, image.height);
  if (area(annotation.box) <= 0) {
    throw Error(ErrorCode::kInvalidArgument, where + ": lies entirely outside the " +
                                                 std::to_string(image.width) + "x" +
                                                 std::to_string(image.height) + " image");
  }
  // The same check as every label file's box (boxloop import-labels).
  check_box_size(annotation.box, where + " clipped to the image");
  if (auto source = optional_string(item, "source", 16, where)) {
    if (*source != "human" && *source != "model") {
      throw Error(ErrorCode::kInvalidArgument,
                  where + ": 'source' must be \"human\" or \"model\", got \"" + *source + "\"");
    }
    annotation.source = box_source_from_string(*source);
  }
  annotation.score = optional_number(item, "score", 0, 1, where);
  if (auto origin = optional_string(item, "origin", 16, where)) {
    if (*origin != "drawn" && *origin != "accepted" && *origin != "adjusted") {
      throw Error(ErrorCode::kInvalidArgument,
                  where + ": 'origin' must be \"drawn\", \"accepted\" or \"adjusted\", got \"" +
                      *origin + "\"");
    }
    annotation.origin = box_origin_from_string(*origin);
  }
  return annotation;
}

}  // namespace

LabelSave parse_label_save(const Json& body, const Image& image,
                           const std::vector<Category>& categories, const std::string& labeler) {
  refuse_unknown_keys(body, {"version", "boxes", "comment", "effort"});
  LabelSave save;
  save.image_id = image.id;
  save.expected_version = read_version(body);
  save.labeler = labeler;
  save.comment = read_comment(body);
  read_effort(body, save);
  save.status = ImageStatus::kLabeled;
  const Json& boxes = required_array(body, "boxes", limits::kMaxBoxesPerImage);
  save.boxes.reserve(boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    save.boxes.push_back(read_box(boxes[i], i, image, categories));
  }
  return save;
}

LabelSave parse_skip(const Json& body, const Image& image, const std::string& labeler) {
  refuse_unknown_keys(body, {"version", "comment", "effort"});
  LabelSave save;
  save.image_id = image.id;
  save.expected_version = read_version(body);
  save.labeler = labeler;
  save.comment = read_comment(body);
  read_effort(body, save);
  save.status = ImageStatus::kSkipped;
  return save;
}

}  // namespace boxloop::server
