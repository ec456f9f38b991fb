#include <algorithm>
#include <functional>
#include <set>

#include "core/error.h"
#include "formats/formats.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

LabelFormat label_format_from_string(const std::string& text) {
  if (text == "coco") return LabelFormat::kCoco;
  if (text == "voc") return LabelFormat::kVoc;
  if (text == "yolo") return LabelFormat::kYolo;
  if (text == "csv") return LabelFormat::kCsv;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown label format '" + text + "' (expected coco, voc, yolo or csv)");
}

std::string to_string(LabelFormat format) {
  switch (format) {
    case LabelFormat::kCoco:
      return "coco";
    case LabelFormat::kVoc:
      return "voc";
    case LabelFormat::kYolo:
      return "yolo";
    case LabelFormat::kCsv:
      return "csv";
  }
  return "coco";
}

ReadResult read_labels(const fs::path& path, const std::vector<std::string>& known_categories) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorCode::kNotFound, path.string() + ": not found");
  if (fs::is_directory(path, ec)) {
    if (fs::exists(path / "classes.txt", ec)) {
      throw Error(ErrorCode::kInvalidArgument,
                  path.string() + ": a YOLO folder needs the image sizes (read_yolo_dir)");
    }
    return read_voc_dir(path, known_categories);
  }
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".json") return read_coco(path, known_categories);
  if (ext == ".csv") return read_csv(path, known_categories);
  if (ext == ".xml") {
    ReadResult result;
    try {
      result.images.push_back(read_voc_file(path, known_categories));
    } catch (const Error& e) {
      result.problems.push_back({path.filename().string(), e.what()});
    }
    return result;
  }
  throw Error(ErrorCode::kInvalidArgument,
              path.string() +
                  ": unknown label format (expected a folder of VOC XML, a COCO .json or a .csv)");
}

namespace {

// voc and yolo write one file per image; two images must not share one.
void write_per_image(const std::vector<ImageLabels>& images, const fs::path& out,
                     const std::string& extension,
                     const std::function<std::string(const ImageLabels&)>& render) {
  std::set<std::string> taken;
  for (const auto& image : images) {
    if (!is_safe_relative_path(image.file)) {
      throw Error(ErrorCode::kInvalidArgument, "unsafe image file name \"" + image.file + "\"");
    }
    const std::string name = fs::path(image.file).replace_extension(extension).generic_string();
    if (!taken.insert(name).second) {
      throw Error(ErrorCode::kConflict,
                  "two images would be written to " + name + " (same name, other extension)");
    }
  }
  for (const auto& image : images) {
    write_file_atomically(out / fs::path(image.file).replace_extension(extension), render(image));
  }
}

}  // namespace

void write_labels(LabelFormat format, const std::vector<ImageLabels>& images,
                  const std::vector<std::string>& categories, const fs::path& out) {
  switch (format) {
    case LabelFormat::kCoco:
      write_file_atomically(out, coco_json(images, categories));
      return;
    case LabelFormat::kCsv:
      write_file_atomically(out, csv_text(images));
      return;
    case LabelFormat::kVoc:
      fs::create_directories(out);
      write_per_image(images, out, ".xml", [](const ImageLabels& image) { return voc_xml(image); });
      return;
    case LabelFormat::kYolo: {
      fs::create_directories(out);
      write_per_image(images, out, ".txt",
                      [&](const ImageLabels& image) { return yolo_txt(image, categories); });
      std::string classes;
      for (const auto& name : categories) classes += name + "\n";
      write_file_atomically(out / "classes.txt", classes);
      return;
    }
  }
}

}  // namespace boxloop
