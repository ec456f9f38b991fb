#include <fstream>
#include <map>

#include "core/error.h"
#include "core/json.h"
#include "formats/formats.h"
#include "formats/label_checks.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

Json parse_json_file(const fs::path& file) {
  const std::string text = read_file_bytes(file);
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw Error(ErrorCode::kCorrupt, file.string() + ": broken JSON");
  return json;
}

const Json& required_array(const Json& root, const char* key, const fs::path& file) {
  if (!root.is_object() || !root.contains(key) || !root[key].is_array()) {
    throw Error(ErrorCode::kCorrupt,
                file.string() + ": not COCO JSON (no \"" + std::string(key) + "\" array)");
  }
  return root[key];
}

struct CocoImage {
  ImageLabels labels;
  std::string problem;  // the first problem found for this image; it is left out when set
};

}  // namespace

ReadResult read_coco(const fs::path& json_file, const std::vector<std::string>& known) {
  const Json root = parse_json_file(json_file);
  const Json& images = required_array(root, "images", json_file);
  const Json& annotations = required_array(root, "annotations", json_file);
  const Json& categories = required_array(root, "categories", json_file);
  const std::string source = json_file.filename().string();
  ReadResult result;

  std::map<std::int64_t, std::string> category_names;
  for (const Json& c : categories) {
    if (!c.is_object() || !c.contains("id") || !c["id"].is_number_integer() ||
        !c.contains("name") || !c["name"].is_string()) {
      result.problems.push_back(
          {source, "a category without an integer id and a name: " + c.dump()});
      continue;
    }
    category_names[c["id"].get<std::int64_t>()] = c["name"].get<std::string>();
  }

  std::vector<CocoImage> ordered;
  std::map<std::int64_t, std::size_t> index_of;
  for (const Json& im : images) {
    CocoImage entry;
    try {
      if (!im.is_object() || !im.contains("id") || !im["id"].is_number_integer()) {
        throw Error(ErrorCode::kInvalidArgument, "an image without an integer id: " + im.dump());
      }
      entry.labels.file = im.value("file_name", "");
      entry.labels.width = im.value("width", 0);
      entry.labels.height = im.value("height", 0);
      check_image_fields(entry.labels);
      index_of[im["id"].get<std::int64_t>()] = ordered.size();
      ordered.push_back(std::move(entry));
    } catch (const Json::exception& e) {
      result.problems.push_back({source, std::string("bad image entry: ") + e.what()});
    } catch (const Error& e) {
      const std::string file = entry.labels.file.empty() ? source : entry.labels.file;
      result.problems.push_back({file, e.what()});
    }
  }

  int annotation_index = 0;
  for (const Json& a : annotations) {
    ++annotation_index;
    const std::string where = "annotation " + std::to_string(annotation_index);
    if (!a.is_object() || !a.contains("image_id") || !a["image_id"].is_number_integer()) {
      result.problems.push_back({source, where + " has no integer image_id"});
      continue;
    }
    const auto found = index_of.find(a["image_id"].get<std::int64_t>());
    if (found == index_of.end()) {
      result.problems.push_back({source, where + " refers to image id " + a["image_id"].dump() +
                                             ", which is not listed"});
      continue;
    }
    CocoImage& image = ordered[found->second];
    if (!image.problem.empty()) continue;
    try {
      const Json& bbox = a.at("bbox");
      if (!bbox.is_array() || bbox.size() != 4) {
        throw Error(ErrorCode::kInvalidArgument, where + ": bbox must be [x, y, w, h]");
      }
      const auto category = category_names.find(a.at("category_id").get<std::int64_t>());
      if (category == category_names.end()) {
        throw Error(ErrorCode::kInvalidArgument,
                    where + ": unknown category id " + a["category_id"].dump());
      }
      NamedBox box{category->second, Box{bbox[0].get<double>(), bbox[1].get<double>(),
                                         bbox[2].get<double>(), bbox[3].get<double>()}};
      check_box(box, image.labels.width, image.labels.height, known);
      image.labels.boxes.push_back(std::move(box));
    } catch (const Json::exception& e) {
      image.problem = where + ": missing or non-numeric field (" + e.what() + ")";
    } catch (const Error& e) {
      image.problem = e.what();
    }
  }

  for (auto& image : ordered) {
    if (image.problem.empty()) {
      result.images.push_back(std::move(image.labels));
    } else {
      result.problems.push_back({image.labels.file, image.problem});
    }
  }
  return result;
}

std::string coco_json(const std::vector<ImageLabels>& images,
                      const std::vector<std::string>& categories) {
  Json root;
  root["info"] = {{"description", "exported by boxloop"}};
  Json category_list = Json::array();
  std::map<std::string, int> category_ids;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    category_ids[categories[i]] = static_cast<int>(i) + 1;
    category_list.push_back({{"id", i + 1}, {"name", categories[i]}, {"supercategory", "none"}});
  }
  Json image_list = Json::array();
  Json annotation_list = Json::array();
  int image_id = 0, annotation_id = 0;
  for (const auto& image : images) {
    ++image_id;
    image_list.push_back({{"id", image_id},
                          {"file_name", image.file},
                          {"width", image.width},
                          {"height", image.height}});
    for (const auto& box : image.boxes) {
      const auto category = category_ids.find(box.category);
      if (category == category_ids.end()) {
        throw Error(ErrorCode::kInvalidArgument,
                    image.file + ": category '" + box.category + "' is not in the category list");
      }
      annotation_list.push_back({{"id", ++annotation_id},
                                 {"image_id", image_id},
                                 {"category_id", category->second},
                                 {"bbox", {box.box.x, box.box.y, box.box.w, box.box.h}},
                                 {"area", box.box.w * box.box.h},
                                 {"iscrowd", 0},
                                 {"segmentation", Json::array()}});
    }
  }
  root["images"] = std::move(image_list);
  root["annotations"] = std::move(annotation_list);
  root["categories"] = std::move(category_list);
  return root.dump(2);
}

}  // namespace boxloop
