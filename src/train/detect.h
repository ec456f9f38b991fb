// Running a trained model on image files: detections in pixels of the original images, written
// as JSON / CSV, or drawn onto copies of the images.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/progress.h"
#include "detector/detector.h"

namespace boxloop {

struct ImageDetections {
  std::string file;  // as given
  int width = 0;
  int height = 0;
  std::vector<Detection> detections;  // boxes in original pixels, clipped to the image
};

// Detections of one decoded BGR image, mapped back from network-input pixels.
std::vector<Detection> detect_image(Detector& detector, const cv::Mat& bgr);

// Reads each file (imageio::read_image_bgr) and runs the detector. Throws kInvalidArgument for
// an empty list, kNotFound / kCorrupt naming a bad file.
std::vector<ImageDetections> detect_files(Detector& detector,
                                          const std::vector<std::filesystem::path>& files,
                                          const ProgressFn& progress = nullptr);

// [{"file","width","height","detections":[{"category","class_index","score","box":{x,y,w,h},
// "class_probs":[..]}]}]
Json detections_json(const std::vector<ImageDetections>& images,
                     const std::vector<std::string>& category_names);
// Header file,width,height,category,score,xmin,ymin,xmax,ymax; one row per detection.
std::string detections_csv(const std::vector<ImageDetections>& images,
                           const std::vector<std::string>& category_names);
// A copy of `bgr` with each detection drawn as a box and "name 0.87" label.
cv::Mat draw_detections(const cv::Mat& bgr, const std::vector<Detection>& detections,
                        const std::vector<std::string>& category_names);

// Drops detections under `threshold`.
std::vector<Detection> above_threshold(const std::vector<Detection>& detections, float threshold);

}  // namespace boxloop
