#include "server/label_request.h"

#include <algorithm>

#include "core/error.h"
#include "core/geometry.h"
#include "server/request_json.h"

namespace boxloop::server {

namespace {

int read_version(const Json& body) {
  const std::int64_t version = required_int(body, "version");
  if (version < 0 || version > std::numeric_limits<int>::max()) {
    throw Error(ErrorCode::kInvalidArgument, "'version' is out of range");
  }
  return static_cast<int>(version);
}

Annotation read_box(const Json& item, int index, const Image& image,
                    const std::vector<Category>& categories) {
  const std::string where = "box " + std::to_string(index);
  if (!item.is_object()) {
    throw Error(ErrorCode::kInvalidArgument,
                where + ": must be an object {category_id, x, y, w, h}, got " + item.type_name());
  }
  Annotation annotation;
  annotation.category_id = required_int(item, "category_id", where);
  const bool known = std::any_of(categories.begin(), categories.end(),
                                 [&](const Category& c) { return c.id == annotation.category_id; });
  if (!known) {
    throw Error(ErrorCode::kInvalidArgument,
                where + ": unknown category_id " + std::to_string(annotation.category_id));
  }
  // The flat shape of docs/api.md, or the nested `box` of an Annotation as GET returns it.
  const auto box_it = item.find("box");
  const Json& coords = box_it != item.end() && box_it->is_object() ? *box_it : item;
  const Box box{required_number(coords, "x", where), required_number(coords, "y", where),
                required_number(coords, "w", where), required_number(coords, "h", where)};
  if (box.w <= 0 || box.h <= 0) {
    throw Error(ErrorCode::kInvalidArgument, where + ": 'w' and 'h' must be positive");
  }
  annotation.box = clip(box, image.width, image.height);
  if (area(annotation.box) <= 0) {
    throw Error(ErrorCode::kInvalidArgument, where + ": lies entirely outside the " +
                                                 std::to_string(image.width) + "x" +
                                                 std::to_string(image.height) + " image");
  }
  if (auto source = optional_string(item, "source", where)) {
    if (*source != "human" && *source != "model") {
      throw Error(ErrorCode::kInvalidArgument,
                  where + ": 'source' must be \"human\" or \"model\", got \"" + *source + "\"");
    }
    annotation.source = box_source_from_string(*source);
  }
  annotation.score = optional_number(item, "score", where);
  return annotation;
}

}  // namespace

LabelSave parse_label_save(const Json& body, const Image& image,
                           const std::vector<Category>& categories, const std::string& labeler) {
  LabelSave save;
  save.image_id = image.id;
  save.expected_version = read_version(body);
  save.labeler = labeler;
  save.comment = optional_string(body, "comment").value_or("");
  save.status = ImageStatus::kLabeled;
  const Json& boxes = required_array(body, "boxes");
  save.boxes.reserve(boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    save.boxes.push_back(read_box(boxes[i], static_cast<int>(i), image, categories));
  }
  return save;
}

LabelSave parse_skip(const Json& body, const Image& image, const std::string& labeler) {
  LabelSave save;
  save.image_id = image.id;
  save.expected_version = read_version(body);
  save.labeler = labeler;
  save.comment = optional_string(body, "comment").value_or("");
  save.status = ImageStatus::kSkipped;
  return save;
}

}  // namespace boxloop::server
