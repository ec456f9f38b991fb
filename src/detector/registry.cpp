#include <spdlog/spdlog.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <climits>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "detector/detector.h"
#include "detector/fastestdet.h"
#include "detector/retinanet.h"

namespace boxloop {

std::vector<std::string> detector_names() {
  return {"fastestdet", "retinanet", "retinanet_resnet18", "retinanet_resnet34"};
}

std::shared_ptr<Detector> make_detector(const DetectorConfig& config) {
  if (config.arch == "fastestdet") return std::make_shared<FastestDet>(config);
  if (config.arch == "retinanet") return std::make_shared<RetinaNet>(config, 0);
  if (config.arch == "retinanet_resnet18") return std::make_shared<RetinaNet>(config, 18);
  if (config.arch == "retinanet_resnet34") return std::make_shared<RetinaNet>(config, 34);
  std::string known;
  for (const auto& name : detector_names()) known += (known.empty() ? "" : ", ") + name;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown detector architecture '" + config.arch + "' (known: " + known + ")");
}

std::filesystem::path default_pretrained_weights(const std::string& arch,
                                                 const std::filesystem::path& models_dir) {
  if (arch == "fastestdet") return models_dir / "fastestdet-coco" / "fastestdet_coco.pth";
  if (arch == "retinanet") {
    return models_dir / "shufflenetv2-0.5x-imagenet" / "shufflenetv2_0.5x_imagenet_cpu.pth";
  }
  if (arch == "retinanet_resnet18" || arch == "retinanet_resnet34") return {};
  throw Error(ErrorCode::kInvalidArgument, "unknown detector architecture '" + arch + "'");
}

void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

namespace {

// See prepare_cpu_for_torch.
void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    // Both or neither: without mappings a large free lands at the heap's top, and the default trim
    // threshold (128 kB) would hand it back to the system at once, faulting it in again next step.
    if (mallopt(M_MMAP_MAX, 0) != 1 || mallopt(M_TRIM_THRESHOLD, INT_MAX) != 1) {
      spdlog::debug("glibc refused the allocator settings: training allocates as before");
    }
  });
#endif
}

}  // namespace

void prepare_cpu_for_torch() {
  keep_freed_memory_for_reuse();
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (torch::get_num_threads() != cores) {
    torch::set_num_threads(cores);
    spdlog::debug("LibTorch uses {} threads", cores);
  }
}

nlohmann::json to_json(const DetectorConfig& config) {
  return {{"arch", config.arch},
          {"num_classes", config.num_classes},
          {"input_size", config.input_size},
          {"score_threshold", config.score_threshold},
          {"nms_iou", config.nms_iou},
          {"max_detections", config.max_detections}};
}

DetectorConfig detector_config_from_json(const nlohmann::json& j) {
  try {
    DetectorConfig c;
    c.arch = j.at("arch").get<std::string>();
    c.num_classes = j.at("num_classes").get<int>();
    c.input_size = j.at("input_size").get<int>();
    c.score_threshold = j.value("score_threshold", c.score_threshold);
    c.nms_iou = j.value("nms_iou", c.nms_iou);
    c.max_detections = j.value("max_detections", c.max_detections);
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInvalidArgument, std::string("bad detector config: ") + e.what());
  }
}

}  // namespace boxloop
