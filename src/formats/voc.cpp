#include <algorithm>
#include <pugixml.hpp>
#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "formats/formats.h"
#include "formats/label_checks.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

pugi::xml_node required_child(const pugi::xml_node& parent, const char* name,
                              const std::string& where) {
  const pugi::xml_node child = parent.child(name);
  if (!child) {
    throw Error(ErrorCode::kInvalidArgument, "missing <" + std::string(name) + "> in " + where);
  }
  return child;
}

double required_number(const pugi::xml_node& parent, const char* name, const std::string& where) {
  return parse_number(required_child(parent, name, where).child_value(),
                      "<" + std::string(name) + "> in " + where);
}

// LabelImg and others write a <filename> that may differ from the image beside the XML in case
// or extension (IMG_1.jpg for IMG_1.JPG). When the named file is not there, the image with the
// XML's own stem is taken; with no image beside the XML at all, the name is kept as written.
std::string match_image_beside(const fs::path& xml_file, const std::string& filename) {
  const fs::path dir = xml_file.parent_path();
  std::error_code ec;
  if (filename.empty() || fs::exists(dir / filename, ec)) return filename;
  const std::string stem = ascii_lower(xml_file.stem().string());
  std::vector<std::string> candidates;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    if (entry.is_regular_file(ec) && has_image_extension(p) &&
        ascii_lower(p.stem().string()) == stem) {
      candidates.push_back(p.filename().string());
    }
  }
  if (candidates.size() == 1) return candidates.front();
  return filename;
}

// Parses one VOC file; errors carry no file name (the caller adds it).
ImageLabels parse_voc(const fs::path& xml_file, const std::vector<std::string>& known) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_file(xml_file.c_str());
  if (parsed.status == pugi::status_file_not_found) {
    throw Error(ErrorCode::kNotFound, "no such file");
  }
  if (!parsed) {
    throw Error(ErrorCode::kCorrupt, std::string("broken XML: ") + parsed.description() +
                                         " at offset " + std::to_string(parsed.offset));
  }
  const pugi::xml_node root = doc.child("annotation");
  if (!root) throw Error(ErrorCode::kInvalidArgument, "not Pascal VOC: no <annotation> root");
  ImageLabels labels;
  labels.file = required_child(root, "filename", "<annotation>").child_value();
  const pugi::xml_node size = required_child(root, "size", "<annotation>");
  labels.width = static_cast<int>(required_number(size, "width", "<size>"));
  labels.height = static_cast<int>(required_number(size, "height", "<size>"));
  check_image_fields(labels);
  labels.file = match_image_beside(xml_file, labels.file);
  int index = 0;
  for (const pugi::xml_node object : root.children("object")) {
    const std::string where = "<object> " + std::to_string(++index);
    NamedBox box;
    box.category = required_child(object, "name", where).child_value();
    const pugi::xml_node bndbox = required_child(object, "bndbox", where);
    const double xmin = required_number(bndbox, "xmin", where);
    const double ymin = required_number(bndbox, "ymin", where);
    const double xmax = required_number(bndbox, "xmax", where);
    const double ymax = required_number(bndbox, "ymax", where);
    box.box = Box{xmin, ymin, xmax - xmin, ymax - ymin};
    check_box(box, labels.width, labels.height, known);
    labels.boxes.push_back(std::move(box));
  }
  return labels;
}

void add_text_child(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).text().set(text.c_str());
}

}  // namespace

ImageLabels read_voc_file(const fs::path& xml_file, const std::vector<std::string>& known) {
  try {
    return parse_voc(xml_file, known);
  } catch (const Error& e) {
    throw Error(e.code(), xml_file.string() + ": " + e.what());
  }
}

ReadResult read_voc_dir(const fs::path& dir, const std::vector<std::string>& known) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorCode::kNotFound, dir.string() + ": no such folder");
  std::vector<fs::path> xml_files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && ascii_lower(it->path().extension().string()) == ".xml") {
      xml_files.push_back(it->path());
    }
  }
  if (ec) throw Error(ErrorCode::kIo, dir.string() + ": cannot list: " + ec.message());
  std::sort(xml_files.begin(), xml_files.end());
  ReadResult result;
  for (const auto& xml : xml_files) {
    const fs::path relative = fs::relative(xml, dir);
    try {
      ImageLabels labels = parse_voc(xml, known);
      // An XML in a subfolder labels the image in the same subfolder.
      const fs::path folder = relative.parent_path();
      if (!folder.empty()) labels.file = (folder / labels.file).generic_string();
      result.images.push_back(std::move(labels));
    } catch (const Error& e) {
      result.problems.push_back({relative.generic_string(), e.what()});
    }
  }
  return result;
}

std::string voc_xml(const ImageLabels& labels) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("annotation");
  const fs::path file(labels.file);
  add_text_child(root, "folder", file.parent_path().generic_string());
  add_text_child(root, "filename", file.filename().string());
  pugi::xml_node size = root.append_child("size");
  add_text_child(size, "width", std::to_string(labels.width));
  add_text_child(size, "height", std::to_string(labels.height));
  add_text_child(size, "depth", "3");
  add_text_child(root, "segmented", "0");
  for (const auto& box : labels.boxes) {
    pugi::xml_node object = root.append_child("object");
    add_text_child(object, "name", box.category);
    add_text_child(object, "pose", "Unspecified");
    add_text_child(object, "truncated", "0");
    add_text_child(object, "difficult", "0");
    pugi::xml_node bndbox = object.append_child("bndbox");
    add_text_child(bndbox, "xmin", number_text(box.box.x));
    add_text_child(bndbox, "ymin", number_text(box.box.y));
    add_text_child(bndbox, "xmax", number_text(box.box.right()));
    add_text_child(bndbox, "ymax", number_text(box.box.bottom()));
  }
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

}  // namespace boxloop
