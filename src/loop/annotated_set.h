// An annotated image set outside any project: a folder of images with VOC / COCO / CSV labels.
// `boxloop evaluate` scores a model on one, and `boxloop simulate --test-images` tests every
// round on one; both read it here, so they agree on what a box of the set is.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "train/evaluate.h"

namespace boxloop::loop {

struct AnnotatedImage {
  std::string file;  // as the annotations name it, relative to the image folder
  std::filesystem::path path;
  cv::Mat bgr;                   // the image as read, full size
  std::vector<TruthBox> truths;  // in pixels of `bgr`; class index = position in class_names
};

using AnnotatedImageFn =
    std::function<void(AnnotatedImage&& image, std::size_t index, std::size_t count)>;

// Reads `annotations` (formats/read_labels: a VOC folder, a COCO .json or a .csv), then each
// image from `images_dir` in turn (one in memory at a time) and calls `fn`. Boxes are scaled to
// the pixels read (annotation sizes may disagree with the file: resized copies). Format problems
// are logged as warnings; boxes of a category not in `class_names` are left out and counted in
// the result, per category name (for the caller to say so once its progress bar is done).
// Throws kInvalidArgument when no image is annotated, kNotFound / kCorrupt for an unreadable
// image.
std::map<std::string, int> read_annotated_images(const std::filesystem::path& images_dir,
                                                 const std::filesystem::path& annotations,
                                                 const std::vector<std::string>& class_names,
                                                 const AnnotatedImageFn& fn);

}  // namespace boxloop::loop
