#include "formats/label_checks.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

std::string box_text(const NamedBox& b) {
  return "box '" + b.category + "' [x " + number_text(b.box.x) + ", y " + number_text(b.box.y) +
         ", w " + number_text(b.box.w) + ", h " + number_text(b.box.h) + "]";
}

}  // namespace

void check_box_size(const Box& box, const std::string& what) {
  // Far below any pixel, far above a double's error on coordinates of a real image.
  constexpr double kRoundOff = 1e-6;
  if (box.w < kMinBoxPixels - kRoundOff || box.h < kMinBoxPixels - kRoundOff) {
    invalid(what + " is thinner than a pixel (" + number_text(box.w) + " x " + number_text(box.h) +
            "); boxes must be at least " + number_text(kMinBoxPixels) + " x " +
            number_text(kMinBoxPixels) + " pixels");
  }
}

void check_image_fields(const ImageLabels& labels) {
  if (labels.file.empty()) invalid("missing image file name");
  if (!is_safe_relative_path(labels.file)) {
    invalid("unsafe image file name \"" + labels.file +
            "\" (must be relative, without '..', '.', backslashes or a leading '/')");
  }
  if (labels.width <= 0 || labels.height <= 0) {
    invalid("missing or invalid image size " + std::to_string(labels.width) + "x" +
            std::to_string(labels.height) + " for " + labels.file);
  }
}

void check_box(const NamedBox& b, int width, int height, const std::vector<std::string>& known) {
  if (b.category.empty()) invalid("a box without a category name");
  if (!known.empty() && std::find(known.begin(), known.end(), b.category) == known.end()) {
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ",") + name;
    invalid("unknown category '" + b.category + "' (the project has: " + list + ")");
  }
  const Box& r = b.box;
  if (!std::isfinite(r.x) || !std::isfinite(r.y) || !std::isfinite(r.w) || !std::isfinite(r.h)) {
    invalid(box_text(b) + " has a non-numeric coordinate");
  }
  if (r.w < 0 || r.h < 0) invalid(box_text(b) + " has a negative size");
  if (r.w == 0 || r.h == 0) invalid(box_text(b) + " has zero size");
  if (r.x < 0 || r.y < 0 || r.right() > width || r.bottom() > height) {
    invalid(box_text(b) + " is outside the " + std::to_string(width) + "x" +
            std::to_string(height) + " image");
  }
  check_box_size(r, box_text(b));
}

void check_labels(const ImageLabels& labels, const std::vector<std::string>& known) {
  check_image_fields(labels);
  for (const auto& box : labels.boxes) check_box(box, labels.width, labels.height, known);
}

std::string number_text(double value) {
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

double parse_number(const std::string& text, const std::string& what) {
  // Leading/trailing blanks are common in hand-edited files.
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) invalid("missing " + what);
  const char* begin = text.data() + first;
  const char* end = text.data() + last + 1;
  if (*begin == '+') ++begin;
  double value = 0;
  const auto result = std::from_chars(begin, end, value);
  if (result.ec != std::errc{} || result.ptr != end) {
    invalid(what + " is not a number: \"" + text + "\"");
  }
  return value;
}

}  // namespace boxloop
