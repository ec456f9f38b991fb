// Reading PyTorch `.pth` state_dicts (as written by Python's torch.save) and copying their tensors
// into a module by parameter name.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace boxloop {

// name -> tensor, in file order; tensors always on the CPU.
using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;

// Reads a zip-format `.pth` holding a dict of tensors (a state_dict, or a training checkpoint
// with one under "state_dict" / "model"), or a TorchScript archive (its parameters and buffers).
// Tensors saved on CUDA are mapped to the CPU. Throws kNotFound (missing), kCorrupt (truncated,
// not a .pth) or kUnsupported (legacy non-zip format, a pickled whole model) with a message
// saying how to fix the file.
StateDict read_state_dict(const std::filesystem::path& pth);

struct StateDictLoadReport {
  std::vector<std::string> loaded;          // module names that got the file's values
  std::vector<std::string> shape_mismatch;  // in both, shapes differ: kept their initialisation
  std::vector<std::string> missing;         // in the module, not in the file
  std::vector<std::string> unused;          // in the file, not in the module
};

// Copies each tensor of `state` whose name (after `key_prefix` is put in front of it) and shape
// match a parameter or buffer of `module`. Works on any device the module lives on.
StateDictLoadReport load_state_dict_by_name(torch::nn::Module& module, const StateDict& state,
                                            const std::string& key_prefix = "");

// The module's parameters and buffers, by name (what a state_dict holds).
StateDict module_state(const torch::nn::Module& module);

}  // namespace boxloop

namespace boxloop {

// What every architecture's load_pretrained does: reads `pth`, loads it into `module` either as
// is or under `backbone.` (whichever matches more names: a bare backbone file such as the
// ImageNet ShuffleNetV2 goes into the backbone), logs what was skipped and why, and returns the
// loaded names. Throws kInvalidArgument when nothing matches (wrong file for `arch`).
std::vector<std::string> load_pretrained_into(torch::nn::Module& module, const std::string& arch,
                                              const std::filesystem::path& pth);

}  // namespace boxloop
