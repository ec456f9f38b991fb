#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "formats/formats.h"
#include "formats/label_checks.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

// Normalised coordinates lose a little precision: a box touching the image edge may read back a
// hair outside it. Only such rounding is undone; a box really outside stays outside.
void snap_to_edges(Box& box, int width, int height) {
  const double tolerance = 1e-6 * std::max(width, height);
  if (box.x < 0 && box.x > -tolerance) {
    box.w += box.x;
    box.x = 0;
  }
  if (box.y < 0 && box.y > -tolerance) {
    box.h += box.y;
    box.y = 0;
  }
  if (box.right() > width && box.right() < width + tolerance) box.w = width - box.x;
  if (box.bottom() > height && box.bottom() < height + tolerance) box.h = height - box.y;
}

std::string yolo_txt_path(const std::string& image_file) {
  return fs::path(image_file).replace_extension(".txt").generic_string();
}

}  // namespace

std::string yolo_txt(const ImageLabels& labels, const std::vector<std::string>& categories) {
  if (labels.width <= 0 || labels.height <= 0) {
    throw Error(ErrorCode::kInvalidArgument, labels.file + ": YOLO needs the image size");
  }
  std::string text;
  const double w = labels.width, h = labels.height;
  for (const auto& box : labels.boxes) {
    const auto found = std::find(categories.begin(), categories.end(), box.category);
    if (found == categories.end()) {
      throw Error(ErrorCode::kInvalidArgument,
                  labels.file + ": category '" + box.category + "' is not in the category list");
    }
    text += std::to_string(found - categories.begin()) + " " +
            number_text((box.box.x + box.box.w / 2) / w) + " " +
            number_text((box.box.y + box.box.h / 2) / h) + " " + number_text(box.box.w / w) + " " +
            number_text(box.box.h / h) + "\n";
  }
  return text;
}

ReadResult read_yolo_dir(const fs::path& dir, const std::vector<ImageLabels>& sizes,
                         const std::vector<std::string>& known_categories) {
  std::vector<std::string> classes;
  {
    std::istringstream in(read_file_bytes(dir / "classes.txt"));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) classes.push_back(line);
    }
  }
  ReadResult result;
  for (const auto& size : sizes) {
    const std::string txt = yolo_txt_path(size.file);
    std::error_code ec;
    if (!fs::is_regular_file(dir / txt, ec)) continue;  // no file: the image has no labels here
    try {
      ImageLabels labels{size.file, size.width, size.height, {}};
      check_image_fields(labels);
      std::istringstream in(read_file_bytes(dir / txt));
      std::string line;
      int line_number = 0;
      while (std::getline(in, line)) {
        ++line_number;
        std::istringstream fields(line);
        std::vector<std::string> parts;
        for (std::string part; fields >> part;) parts.push_back(part);
        if (parts.empty()) continue;
        const std::string where = "line " + std::to_string(line_number);
        if (parts.size() != 5) {
          throw Error(ErrorCode::kInvalidArgument, where + ": expected \"class cx cy w h\"");
        }
        const double index = parse_number(parts[0], where + " class");
        if (index < 0 || index >= static_cast<double>(classes.size()) || index != int(index)) {
          throw Error(ErrorCode::kInvalidArgument,
                      where + ": class " + parts[0] + " is not listed in classes.txt");
        }
        const double cx = parse_number(parts[1], where + " cx") * labels.width;
        const double cy = parse_number(parts[2], where + " cy") * labels.height;
        const double w = parse_number(parts[3], where + " w") * labels.width;
        const double h = parse_number(parts[4], where + " h") * labels.height;
        NamedBox box{classes[static_cast<std::size_t>(index)], Box{cx - w / 2, cy - h / 2, w, h}};
        snap_to_edges(box.box, labels.width, labels.height);
        check_box(box, labels.width, labels.height, known_categories);
        labels.boxes.push_back(std::move(box));
      }
      result.images.push_back(std::move(labels));
    } catch (const Error& e) {
      result.problems.push_back({txt, e.what()});
    }
  }
  return result;
}

}  // namespace boxloop
