#include "train/detect.h"

#include <algorithm>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/geometry.h"
#include "detector/detector_util.h"
#include "imageio/image_file.h"
#include "train/dataset.h"

namespace boxloop {

std::vector<Detection> detect_image(Detector& detector, const cv::Mat& bgr) {
  const int size = detector.config().input_size;
  const torch::Tensor input = image_tensor(bgr, size).to(module_device(detector));
  std::vector<Detection> detections = detector.detect(input).at(0);
  const double sx = static_cast<double>(bgr.cols) / size;
  const double sy = static_cast<double>(bgr.rows) / size;
  for (Detection& d : detections) {
    d.box = clip(Box{d.box.x * sx, d.box.y * sy, d.box.w * sx, d.box.h * sy}, bgr.cols, bgr.rows);
  }
  return detections;
}

std::vector<ImageDetections> detect_files(Detector& detector,
                                          const std::vector<std::filesystem::path>& files,
                                          const ProgressFn& progress) {
  if (files.empty()) throw Error{ErrorCode::kInvalidArgument, "no images to run the model on"};
  std::vector<ImageDetections> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const cv::Mat bgr = read_image_bgr(files[i]);
    out.push_back({files[i].string(), bgr.cols, bgr.rows, detect_image(detector, bgr)});
    if (progress) progress(static_cast<double>(i + 1) / files.size(), files[i].filename().string());
  }
  return out;
}

namespace {

std::string name_of(int index, const std::vector<std::string>& names) {
  return index >= 0 && index < static_cast<int>(names.size()) ? names[index]
                                                              : std::to_string(index);
}

// CSV fields are file names we did not choose: quote when needed.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

Json detections_json(const std::vector<ImageDetections>& images,
                     const std::vector<std::string>& category_names) {
  Json out = Json::array();
  for (const ImageDetections& image : images) {
    Json dets = Json::array();
    for (const Detection& d : image.detections) {
      dets.push_back({{"category", name_of(d.class_index, category_names)},
                      {"class_index", d.class_index},
                      {"score", d.score},
                      {"box", d.box},
                      {"class_probs", d.class_probs}});
    }
    out.push_back({{"file", image.file},
                   {"width", image.width},
                   {"height", image.height},
                   {"detections", dets}});
  }
  return out;
}

std::string detections_csv(const std::vector<ImageDetections>& images,
                           const std::vector<std::string>& category_names) {
  std::string out = "file,width,height,category,score,xmin,ymin,xmax,ymax\n";
  char buf[160];
  for (const ImageDetections& image : images) {
    for (const Detection& d : image.detections) {
      std::snprintf(buf, sizeof buf, ",%.4f,%.1f,%.1f,%.1f,%.1f\n", d.score, d.box.x, d.box.y,
                    d.box.right(), d.box.bottom());
      out += csv_field(image.file) + "," + std::to_string(image.width) + "," +
             std::to_string(image.height) + "," +
             csv_field(name_of(d.class_index, category_names)) + buf;
    }
  }
  return out;
}

cv::Mat draw_detections(const cv::Mat& bgr, const std::vector<Detection>& detections,
                        const std::vector<std::string>& category_names) {
  cv::Mat out = bgr.clone();
  const int thickness = std::max(2, std::min(out.cols, out.rows) / 300);
  const double font = std::max(0.5, std::min(out.cols, out.rows) / 800.0);
  for (const Detection& d : detections) {
    // A distinct, stable colour per class.
    const cv::Scalar colour((d.class_index * 83) % 256, (d.class_index * 157 + 80) % 256,
                            (d.class_index * 211 + 160) % 256);
    const cv::Rect r(cv::Point(static_cast<int>(d.box.x), static_cast<int>(d.box.y)),
                     cv::Point(static_cast<int>(d.box.right()), static_cast<int>(d.box.bottom())));
    cv::rectangle(out, r, colour, thickness);
    char label[96];
    std::snprintf(label, sizeof label, "%s %.2f", name_of(d.class_index, category_names).c_str(),
                  d.score);
    int baseline = 0;
    const cv::Size ts = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, font, 1, &baseline);
    const cv::Point origin(r.x, std::max(ts.height + 2, r.y - 2));
    cv::rectangle(out, cv::Rect(origin.x, origin.y - ts.height - 2, ts.width + 2, ts.height + 4),
                  colour, cv::FILLED);
    cv::putText(out, label, cv::Point(origin.x + 1, origin.y), cv::FONT_HERSHEY_SIMPLEX, font,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  return out;
}

std::vector<Detection> above_threshold(const std::vector<Detection>& detections, float threshold) {
  std::vector<Detection> out;
  std::copy_if(detections.begin(), detections.end(), std::back_inserter(out),
               [&](const Detection& d) { return d.score >= threshold; });
  return out;
}

}  // namespace boxloop
