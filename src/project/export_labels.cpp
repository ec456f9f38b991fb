#include <zip.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "project/project_ops.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> category_names(Store& store) {
  std::vector<std::string> names;
  for (const auto& c : store.categories()) names.push_back(c.name);
  return names;
}

// A scratch folder removed when it goes out of scope, error or not.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "boxloop-export-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw Error(ErrorCode::kIo, "cannot create a temporary folder for the export");
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Zips every file under `dir` (paths relative to it) into an in-memory archive.
std::string zip_folder(const fs::path& dir) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) throw Error(ErrorCode::kInternal, zip_error_strerror(&error));
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    zip_source_free(buffer);
    throw Error(ErrorCode::kInternal, std::string("zip: ") + zip_error_strerror(&error));
  }
  zip_source_keep(buffer);  // read the bytes back after zip_close
  auto fail = [&](const std::string& what) {
    const std::string message = "zip: " + what + ": " + zip_strerror(archive);
    zip_discard(archive);
    zip_source_free(buffer);
    throw Error(ErrorCode::kIo, message);
  };
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    // libzip deletes an archive with no entries; an empty zip is just its end record.
    zip_discard(archive);
    zip_source_free(buffer);
    return std::string("PK\x05\x06", 4) + std::string(18, '\0');
  }
  for (const auto& file : files) {
    const std::string name = fs::relative(file, dir).generic_string();
    zip_source_t* source = zip_source_file(archive, file.c_str(), 0, -1);
    if (source == nullptr) fail("cannot read " + name);
    if (zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8) < 0) {
      zip_source_free(source);
      fail("cannot add " + name);
    }
  }
  if (zip_close(archive) != 0) fail("cannot write the archive");

  zip_stat_t stat;
  if (zip_source_stat(buffer, &stat) != 0 || zip_source_open(buffer) != 0) {
    zip_source_free(buffer);
    throw Error(ErrorCode::kIo, "zip: cannot read the archive back");
  }
  std::string bytes(static_cast<std::size_t>(stat.size), '\0');
  const zip_int64_t read = zip_source_read(buffer, bytes.data(), stat.size);
  zip_source_close(buffer);
  zip_source_free(buffer);
  if (read != static_cast<zip_int64_t>(stat.size)) {
    throw Error(ErrorCode::kIo, "zip: short read of the archive");
  }
  return bytes;
}

}  // namespace

std::vector<ImageLabels> project_labels(Store& store) {
  std::map<Id, std::string> names;
  for (const auto& c : store.categories()) names[c.id] = c.name;
  std::vector<ImageLabels> result;
  for (const LabeledImage& labeled : store.labeled_images()) {
    ImageLabels labels{labeled.image.path, labeled.image.width, labeled.image.height, {}};
    for (const Annotation& a : labeled.boxes)
      labels.boxes.push_back({names.at(a.category_id), a.box});
    result.push_back(std::move(labels));
  }
  return result;
}

void export_labels(Store& store, LabelFormat format, const fs::path& out) {
  write_labels(format, project_labels(store), category_names(store), out);
}

ExportArchive export_labels_archive(Store& store, LabelFormat format) {
  const auto images = project_labels(store);
  const auto categories = category_names(store);
  switch (format) {
    case LabelFormat::kCoco:
      return {"labels-coco.json", "application/json", coco_json(images, categories)};
    case LabelFormat::kCsv:
      return {"labels.csv", "text/csv", csv_text(images)};
    case LabelFormat::kVoc:
    case LabelFormat::kYolo: {
      ScratchDir scratch;
      write_labels(format, images, categories, scratch.path() / "labels");
      return {"labels-" + to_string(format) + ".zip", "application/zip",
              zip_folder(scratch.path() / "labels")};
    }
  }
  throw Error(ErrorCode::kInternal, "unknown label format");
}

}  // namespace boxloop
