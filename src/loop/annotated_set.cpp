#include "loop/annotated_set.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "formats/formats.h"
#include "imageio/image_file.h"

namespace boxloop::loop {

std::map<std::string, int> read_annotated_images(const std::filesystem::path& images_dir,
                                                 const std::filesystem::path& annotations,
                                                 const std::vector<std::string>& class_names,
                                                 const AnnotatedImageFn& fn) {
  std::map<std::string, int> class_of;
  for (std::size_t i = 0; i < class_names.size(); ++i) {
    class_of[class_names[i]] = static_cast<int>(i);
  }
  const ReadResult labels = read_labels(annotations);
  for (const FormatProblem& p : labels.problems) spdlog::warn("{}: {}", p.file, p.message);
  if (labels.images.empty()) {
    throw Error{ErrorCode::kInvalidArgument, "no annotated images in " + annotations.string()};
  }
  std::map<std::string, int> unknown;
  for (std::size_t i = 0; i < labels.images.size(); ++i) {
    const ImageLabels& l = labels.images[i];
    AnnotatedImage image;
    image.file = l.file;
    image.path = images_dir / l.file;
    image.bgr = read_image_bgr(image.path);
    const double sx = l.width > 0 ? static_cast<double>(image.bgr.cols) / l.width : 1.0;
    const double sy = l.height > 0 ? static_cast<double>(image.bgr.rows) / l.height : 1.0;
    for (const NamedBox& b : l.boxes) {
      const auto it = class_of.find(b.category);
      if (it == class_of.end()) {
        ++unknown[b.category];
        continue;
      }
      image.truths.push_back(
          {Box{b.box.x * sx, b.box.y * sy, b.box.w * sx, b.box.h * sy}, it->second});
    }
    fn(std::move(image), i, labels.images.size());
  }
  return unknown;
}

}  // namespace boxloop::loop
