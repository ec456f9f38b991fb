#include <map>
#include <sstream>

#include "core/error.h"
#include "formats/formats.h"
#include "formats/label_checks.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace {

constexpr const char* kHeader = "filename,width,height,class,xmin,ymin,xmax,ymax";

// Splits one CSV record (RFC 4180 quoting: "a,b" and "" for a quote inside quotes).
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

struct CsvImage {
  ImageLabels labels;
  std::string problem;
};

}  // namespace

ReadResult read_csv(const std::filesystem::path& csv_file, const std::vector<std::string>& known) {
  std::istringstream in(read_file_bytes(csv_file));
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a BOM from spreadsheet programs
  if (line != kHeader) {
    throw Error(
        ErrorCode::kCorrupt,
        csv_file.string() + ": not a label CSV: the first line must be \"" + kHeader + "\"");
  }
  ReadResult result;
  std::vector<CsvImage> ordered;
  std::map<std::string, std::size_t> index_of;
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = "line " + std::to_string(line_number);
    const auto fields = split_csv_line(line);
    if (fields.size() != 8) {
      result.problems.push_back(
          {csv_file.filename().string(),
           where + ": expected 8 fields, found " + std::to_string(fields.size())});
      continue;
    }
    auto [it, inserted] = index_of.try_emplace(fields[0], ordered.size());
    if (inserted) ordered.push_back(CsvImage{ImageLabels{fields[0], 0, 0, {}}, ""});
    CsvImage& image = ordered[it->second];
    if (!image.problem.empty()) continue;
    try {
      const int width = static_cast<int>(parse_number(fields[1], where + " width"));
      const int height = static_cast<int>(parse_number(fields[2], where + " height"));
      if (inserted) {
        image.labels.width = width;
        image.labels.height = height;
        check_image_fields(image.labels);
      } else if (width != image.labels.width || height != image.labels.height) {
        throw Error(ErrorCode::kInvalidArgument, where + ": size " + fields[1] + "x" + fields[2] +
                                                     " differs from the file's earlier rows");
      }
      const double xmin = parse_number(fields[4], where + " xmin");
      const double ymin = parse_number(fields[5], where + " ymin");
      const double xmax = parse_number(fields[6], where + " xmax");
      const double ymax = parse_number(fields[7], where + " ymax");
      NamedBox box{fields[3], Box{xmin, ymin, xmax - xmin, ymax - ymin}};
      check_box(box, width, height, known);
      image.labels.boxes.push_back(std::move(box));
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

std::string csv_text(const std::vector<ImageLabels>& images) {
  std::string text = std::string(kHeader) + "\n";
  for (const auto& image : images) {
    for (const auto& box : image.boxes) {
      text += csv_field(image.file) + "," + std::to_string(image.width) + "," +
              std::to_string(image.height) + "," + csv_field(box.category) + "," +
              number_text(box.box.x) + "," + number_text(box.box.y) + "," +
              number_text(box.box.right()) + "," + number_text(box.box.bottom()) + "\n";
    }
  }
  return text;
}

}  // namespace boxloop
