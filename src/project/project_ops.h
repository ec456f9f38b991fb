// Operations on a project that need the store and a file layer together: importing images into
// the image folder, importing and exporting labels, and reading stats. Used by the CLI, the
// server and the loop, so each front end stays a thin parser.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"
#include "formats/formats.h"
#include "imageio/image_file.h"
#include "store/store.h"

namespace boxloop {

enum class ImportAction { kAdded, kDuplicate, kRejected };
std::string to_string(ImportAction action);

// What happened to one input file.
struct ImportFileResult {
  std::string source;  // the path or upload name as given
  ImportAction action = ImportAction::kRejected;
  std::string message;         // why rejected / which image it duplicates
  std::optional<Image> image;  // the added image, or the existing one for a duplicate
};

struct ImportOptions {
  bool link = false;  // hard-link (falls back to copy across file systems) instead of copying
  ImageLimits limits;
  ProgressFn progress;
};

// Imports image files and folders (recursively, image extensions only) into the project's image
// folder. Each file is validated by decoding, deduplicated by sha256, copied atomically under a
// unique safe name and recorded; a file that fails leaves nothing behind. Never throws for one
// bad file: that is a kRejected result with its message.
std::vector<ImportFileResult> import_images(Store& store,
                                            const std::vector<std::filesystem::path>& inputs,
                                            const ImportOptions& options = {});
// The same for one uploaded file (the server). `filename` is only a hint for the stored name.
ImportFileResult import_image_bytes(Store& store, const std::string& filename,
                                    std::string_view bytes, const ImageLimits& limits = {});

struct LabelImportResult {
  int images_labeled = 0;
  int boxes = 0;
  std::vector<FormatProblem> problems;  // per file: unreadable, unknown image, unknown category
};
// Reads labels (VOC folder, COCO .json or .csv) and saves them onto the project's images, matched
// by file name; each image is one save (label_event by `labeler`, comment "imported from ...").
LabelImportResult import_labels(Store& store, const std::filesystem::path& path,
                                const std::string& labeler, const ProgressFn& progress = nullptr);

// The labeled images' boxes as format-independent labels (category names, pixel boxes).
std::vector<ImageLabels> project_labels(Store& store);
// Writes the project's labels in `format` to `out` (a file or folder, see write_labels).
void export_labels(Store& store, LabelFormat format, const std::filesystem::path& out);
// The same as one download: the file itself for coco/csv, a zip of the folder for voc/yolo.
struct ExportArchive {
  std::string filename;      // e.g. "labels-coco.json", "labels-voc.zip"
  std::string content_type;  // application/json, text/csv, application/zip
  std::string bytes;
};
ExportArchive export_labels_archive(Store& store, LabelFormat format);

}  // namespace boxloop
