// Annotation file formats, independent of the store: Pascal VOC XML, COCO JSON, YOLO txt, CSV.
// Readers report problems per file and keep going; writers write atomically.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"

namespace boxloop {

enum class LabelFormat { kCoco, kVoc, kYolo, kCsv };
LabelFormat label_format_from_string(const std::string& text);  // "coco" | "voc" | "yolo" | "csv"
std::string to_string(LabelFormat format);

// One file (or one entry of a COCO file) that could not be read, and why. The rest still loads.
struct FormatProblem {
  std::string file;
  std::string message;
};

struct ReadResult {
  std::vector<ImageLabels> images;  // file names relative to the image folder
  std::vector<FormatProblem> problems;
};

// Pascal VOC: one XML per image (annotation/filename, size/{width,height}, object/{name,
// bndbox/{xmin,ymin,xmax,ymax}}), pixel coordinates. A box outside the image, a negative or zero
// size, a missing field or broken XML is a problem of that file. `known_categories`, when not
// empty, makes an unknown category name a problem too.
ImageLabels read_voc_file(const std::filesystem::path& xml_file,
                          const std::vector<std::string>& known_categories = {});
ReadResult read_voc_dir(const std::filesystem::path& dir,
                        const std::vector<std::string>& known_categories = {});
std::string voc_xml(const ImageLabels& labels);

// COCO instances JSON (images, annotations with bbox [x,y,w,h], categories).
ReadResult read_coco(const std::filesystem::path& json_file,
                     const std::vector<std::string>& known_categories = {});
std::string coco_json(const std::vector<ImageLabels>& images,
                      const std::vector<std::string>& categories);

// CSV: header filename,width,height,class,xmin,ymin,xmax,ymax; one row per box.
ReadResult read_csv(const std::filesystem::path& csv_file,
                    const std::vector<std::string>& known_categories = {});
std::string csv_text(const std::vector<ImageLabels>& images);

// YOLO: one NAME.txt per image, "class cx cy w h" normalised, plus classes.txt.
// `dir` holds the txt files; widths/heights come from `sizes` (the txt has none).
std::string yolo_txt(const ImageLabels& labels, const std::vector<std::string>& categories);
// Reads the YOLO folder `dir` (classes.txt and the txt beside each image's relative path) for the
// images listed in `sizes` (file, width, height; boxes ignored). An image without a txt file is
// left out; a bad line or class makes a problem of that file.
ReadResult read_yolo_dir(const std::filesystem::path& dir, const std::vector<ImageLabels>& sizes,
                         const std::vector<std::string>& known_categories = {});

// Reads any of the above by looking at the path: a directory of XML (VOC), a .json (COCO), a
// .csv. Throws kInvalidArgument when it is none of them, kNotFound when missing.
ReadResult read_labels(const std::filesystem::path& path,
                       const std::vector<std::string>& known_categories = {});

// Writes `images` in `format` under `out`: a file for coco (.json) and csv, a folder for voc and
// yolo (created if missing).
void write_labels(LabelFormat format, const std::vector<ImageLabels>& images,
                  const std::vector<std::string>& categories, const std::filesystem::path& out);

}  // namespace boxloop
