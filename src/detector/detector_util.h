// Small helpers every architecture shares.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "detector/detector.h"

namespace boxloop {

// Throws kInvalidArgument unless images is N x 3 x S x S float with S = config.input_size and
// (when given) targets has one entry per image with labels in 0..num_classes-1.
void check_batch(const torch::Tensor& images, const DetectorConfig& config);
void check_targets(const torch::Tensor& images, const std::vector<DetectionTarget>& targets,
                   const DetectorConfig& config);

// Throws kInvalidArgument for a config no architecture can build.
void check_config(const DetectorConfig& config);

// Puts a module in eval mode for its lifetime and restores the mode it found.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(torch::nn::Module& module)
      : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~EvalModeGuard() { module_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

// The device of the module's first parameter (CPU for a module without any).
torch::Device module_device(const torch::nn::Module& module);

}  // namespace boxloop
