#include <map>

#include "core/error.h"
#include "core/text.h"
#include "project/project_ops.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

// Finds the project image a label file means. Imported images keep their file name but not their
// folder, and a name taken twice got a suffix; label files name images as their tools saw them
// (IMG_1.JPG in the XML, IMG_1.jpg on disk). So: the exact relative path, else the same file
// name, else the same stem ignoring case - each only when it picks exactly one image.
class ImageMatcher {
 public:
  explicit ImageMatcher(const std::vector<Image>& images) {
    for (const Image& image : images) {
      by_path_[image.path] = image.id;
      by_name_[fs::path(image.path).filename().string()].push_back(image.id);
      by_stem_[ascii_lower(fs::path(image.path).stem().string())].push_back(image.id);
    }
  }

  std::optional<Id> find(const std::string& file) const {
    if (auto it = by_path_.find(file); it != by_path_.end()) return it->second;
    const fs::path path(file);
    if (auto it = by_name_.find(path.filename().string()); it != by_name_.end()) {
      return unique(it->second);
    }
    if (auto it = by_stem_.find(ascii_lower(path.stem().string())); it != by_stem_.end()) {
      return unique(it->second);
    }
    return std::nullopt;
  }

 private:
  static std::optional<Id> unique(const std::vector<Id>& ids) {
    return ids.size() == 1 ? std::optional<Id>(ids.front()) : std::nullopt;
  }
  std::map<std::string, Id> by_path_;
  std::map<std::string, std::vector<Id>> by_name_;
  std::map<std::string, std::vector<Id>> by_stem_;
};

ReadResult read_any_labels(Store& store, const fs::path& path,
                           const std::vector<std::string>& category_names) {
  std::error_code ec;
  if (fs::is_directory(path, ec) && fs::exists(path / "classes.txt", ec)) {
    // YOLO has no image sizes of its own: the project's images give them.
    std::vector<ImageLabels> sizes;
    for (const Image& image : store.images()) {
      sizes.push_back({image.path, image.width, image.height, {}});
    }
    return read_yolo_dir(path, sizes, category_names);
  }
  return read_labels(path, category_names);
}

// Saves one image's labels onto its project image, or records why not.
void save_one(Store& store, const ImageMatcher& matcher,
              const std::map<std::string, Id>& category_ids, const ImageLabels& labels,
              const std::string& labeler, const std::string& comment, LabelImportResult& result) {
  try {
    const auto id = matcher.find(labels.file);
    if (!id) throw Error(ErrorCode::kNotFound, "no image of that name in the project");
    const std::optional<Image> image = store.image(*id);
    if (!image) throw Error(ErrorCode::kNotFound, "the image was removed meanwhile");
    if (labels.width != image->width || labels.height != image->height) {
      throw Error(ErrorCode::kInvalidArgument,
                  "the labels are for a " + std::to_string(labels.width) + "x" +
                      std::to_string(labels.height) + " image, but " + image->path + " is " +
                      std::to_string(image->width) + "x" + std::to_string(image->height));
    }
    // A label file never overwrites what a labeler already did.
    if (image->status != ImageStatus::kUnlabeled) {
      throw Error(ErrorCode::kConflict,
                  image->path + " is already " + to_string(image->status) + "; not overwritten");
    }
    LabelSave save;
    save.image_id = image->id;
    save.expected_version = image->version;
    save.labeler = labeler;
    save.comment = comment;
    save.status = ImageStatus::kLabeled;
    for (const NamedBox& box : labels.boxes) {
      Annotation annotation;
      annotation.category_id = category_ids.at(box.category);  // readers checked the names
      annotation.box = box.box;
      save.boxes.push_back(annotation);
    }
    store.save_labels(save);
    ++result.images_labeled;
    result.boxes += static_cast<int>(labels.boxes.size());
  } catch (const Error& e) {
    result.problems.push_back({labels.file, e.what()});
  }
}

}  // namespace

LabelImportResult import_labels(Store& store, const fs::path& path, const std::string& labeler,
                                const ProgressFn& progress) {
  if (labeler.empty()) throw Error(ErrorCode::kInvalidArgument, "a label import needs a labeler");
  const std::vector<Category> categories = store.categories();
  std::vector<std::string> names;
  std::map<std::string, Id> category_ids;
  for (const auto& c : categories) {
    names.push_back(c.name);
    category_ids[c.name] = c.id;
  }
  ReadResult read = read_any_labels(store, path, names);
  LabelImportResult result;
  result.problems = std::move(read.problems);
  const ImageMatcher matcher(store.images());
  // "labels/" names the folder too, not an empty file name.
  const fs::path named = path.filename().empty() ? path.parent_path() : path;
  const std::string comment = "imported from " + named.filename().string();

  // One save per image, committed in batches: a commit (fsync) per image made importing a few
  // hundred label files take seconds. A failed save is undone alone (a savepoint in the batch).
  constexpr std::size_t kBatch = 50;
  for (std::size_t first = 0; first < read.images.size(); first += kBatch) {
    const std::size_t last = std::min(read.images.size(), first + kBatch);
    store.batch([&] {
      for (std::size_t i = first; i < last; ++i) {
        save_one(store, matcher, category_ids, read.images[i], labeler, comment, result);
      }
    });
    if (progress) {
      progress(static_cast<double>(last) / static_cast<double>(read.images.size()),
               read.images[last - 1].file);
    }
  }
  return result;
}

}  // namespace boxloop
