// A reader for the pickle inside a PyTorch zip `.pth` that holds a state_dict. LibTorch 1.13's own
// unpickler turns `collections.OrderedDict` (what Python's `model.state_dict()` is) into None and
// cannot apply its `_metadata`, so it fails on every state_dict saved directly from Python; this
// reader understands the handful of opcodes and globals torch.save emits for a dict of tensors.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace boxloop {

// Where a tensor's numbers live in the zip and how to view them.
struct PickledTensor {
  std::string storage_key;  // record "data/<key>" of the archive
  torch::ScalarType dtype = torch::kFloat;
  int64_t storage_numel = 0;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
  std::string saved_device;  // "cpu", "cuda:0", ... (informational: tensors load on the CPU)
};

// Parses `pickle` (the bytes of data.pkl) and returns the (name, tensor) entries of the top-level
// dict, or of a dict nested under "state_dict" / "model" / "model_state_dict". Non-tensor values
// are skipped. Throws boxloop::Error kUnsupported (an opcode or class this reader does not know,
// e.g. a pickled whole model) or kCorrupt (malformed pickle).
std::vector<std::pair<std::string, PickledTensor>> parse_state_dict_pickle(
    const std::string& pickle);

// Copies a parsed tensor out of its storage's raw bytes (`bytes` long) into a CPU tensor.
torch::Tensor materialise(const PickledTensor& spec, const void* storage, size_t bytes);

}  // namespace boxloop
