// The one interface every detector architecture implements (`fastestdet`, `retinanet`), in the
// spirit of torchvision.models.detection: an architecture is backbone + neck + head + loss +
// decode, each a small piece in its own file; this header is all that train/, active/ and the
// front ends see.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"

namespace boxloop {

struct DetectorConfig {
  std::string arch = "fastestdet";
  int num_classes = 1;
  int input_size = 352;           // square network input; images are resized (no letterbox)
  float score_threshold = 0.05f;  // detections below are dropped (low for mAP, higher for display)
  float nms_iou = 0.45f;          // class-aware NMS
  int max_detections = 100;       // per image, after NMS
};

// Ground truth of one training image, in pixels of the network input (input_size x input_size).
struct DetectionTarget {
  std::vector<Box> boxes;
  std::vector<int64_t> labels;  // class index per box, 0..num_classes-1
  // Where the labels are complete, for partly labeled images (a box-level query asked about some
  // regions only): unset when the whole input is, else these regions (input pixels; empty: none
  // is). The losses teach background only where labels are complete: an unlabeled object
  // elsewhere must not be taught as background.
  std::optional<std::vector<Box>> known;
};

// Which of `xy` (P x 2 float, x and y in input pixels) lie where `target`'s labels are complete
// (DetectionTarget::known): a P bool tensor on xy's device, all true for a fully labeled target.
torch::Tensor labeled_points(const DetectionTarget& target, const torch::Tensor& xy);

// The loss of one batch: `total` is what backward() is called on; `parts` are for logging
// (e.g. "obj", "cls", "box"), detached.
struct DetectionLoss {
  torch::Tensor total;
  std::map<std::string, float> parts;
};

class Detector : public torch::nn::Module {
 public:
  explicit Detector(DetectorConfig config) : config_(std::move(config)) {}
  const DetectorConfig& config() const { return config_; }
  DetectorConfig& mutable_config() { return config_; }

  // images: N x 3 x S x S float in [0, 1], BGR channel order (as OpenCV reads), S = input_size.
  virtual DetectionLoss loss(const torch::Tensor& images,
                             const std::vector<DetectionTarget>& targets) = 0;

  // Decoded, thresholded, class-aware-NMS'd detections per image, boxes in network-input pixels.
  // Runs under NoGradGuard; does not change train/eval mode of the caller.
  virtual std::vector<std::vector<Detection>> detect(const torch::Tensor& images) = 0;

  // One feature vector per image for diversity-based sampling (active/diversity.h): the last
  // backbone stage (stride 32), global-average-pooled. N x D float on the CPU, D the stage's
  // channels (192 for the ShuffleNetV2 backbones, 512 for ResNet). Same conditions as detect().
  virtual torch::Tensor embed(const torch::Tensor& images) = 0;

  // Loads a pretrained state_dict (a `.pth` readable by torch::pickle_load) by parameter name.
  // Tensors whose shape differs (the class layer when num_classes differs) keep their fresh
  // initialisation. Returns the names that were loaded. Throws kCorrupt / kUnsupported with a
  // message saying how to fix it (e.g. a CUDA-saved file).
  virtual std::vector<std::string> load_pretrained(const std::filesystem::path& pth) = 0;

 private:
  DetectorConfig config_;
};

// Registered architectures: "fastestdet" (default), "retinanet" (ShuffleNetV2 backbone),
// "retinanet_resnet18", "retinanet_resnet34" (for GPUs). Throws kInvalidArgument for an unknown
// name or a bad config (input size not a multiple of 32, no classes).
std::shared_ptr<Detector> make_detector(const DetectorConfig& config);
std::vector<std::string> detector_names();

// Own checkpoints: the module's parameters and buffers at `path` as a name -> tensor dict in
// PyTorch's zip format (what Python's torch.save writes for a state_dict; torch.load reads it),
// plus a JSON sidecar `path + ".json"` holding the config, category names and `extra` (metrics).
// Both are written to a temporary file and renamed, so a crash leaves the old checkpoint intact.
void save_checkpoint(Detector& detector, const std::filesystem::path& path,
                     const std::vector<std::string>& category_names, const nlohmann::json& extra);
struct LoadedCheckpoint {
  std::shared_ptr<Detector> detector;
  std::vector<std::string> category_names;
  nlohmann::json sidecar;
};
// Throws kNotFound / kCorrupt with a clear message for a missing, truncated or foreign file.
LoadedCheckpoint load_checkpoint(const std::filesystem::path& path);

// The pretrained file each architecture starts from, inside `models_dir` (../shared/models or a
// project's models folder): fastestdet -> fastestdet-coco/fastestdet_coco.pth (COCO, all but the
// class layer), retinanet -> shufflenetv2-0.5x-imagenet/shufflenetv2_0.5x_imagenet_cpu.pth
// (backbone). Empty for the ResNet variants (random init, or pass torchvision's resnet state_dict
// to load_pretrained yourself). Throws kInvalidArgument for an unknown architecture.
std::filesystem::path default_pretrained_weights(const std::string& arch,
                                                 const std::filesystem::path& models_dir);

// The config as JSON (the checkpoint sidecar's "config") and back; throws kInvalidArgument.
nlohmann::json to_json(const DetectorConfig& config);
DetectorConfig detector_config_from_json(const nlohmann::json& json);

// Readies the process for LibTorch work on the CPU: intra-op threads = the machine's cores
// (Debian's build starts with 1), and glibc's allocator told to keep freed memory on its heap.
// Every training step allocates and frees activations of tens of MB; glibc serves blocks above its
// mmap threshold (at most 32 MB, however it adapts) with fresh mappings, so each step page-faulted
// its activations in again, zero-filled: a third of the CPU time of a fine-tune went to the kernel
// and to threads waiting on it (the cards fine-tune: 24 s an epoch, 7.5 s without; results are
// bit-identical). Kept on the heap and never trimmed, memory a step frees is reused by the next;
// the process keeps its peak footprint until release_free_memory(). Cheap to call again.
void prepare_cpu_for_torch();

// Gives the heap's free memory back to the system (after a job, so an idle server is small again).
void release_free_memory();

}  // namespace boxloop
