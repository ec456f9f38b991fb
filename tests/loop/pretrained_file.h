// Pretrained weights for tests that need a first round to start from them (no COCO file in a
// fresh clone): a seeded FastestDet with COCO's 80 classes, saved as torch.save writes a
// state_dict, which the loader reads as it reads the real file.
#pragma once

#include <torch/csrc/jit/serialization/pickle.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "detector/fastestdet.h"
#include "detector/pretrained.h"

namespace boxloop::loop::testing {

inline std::filesystem::path write_pretrained(const std::filesystem::path& path) {
  torch::manual_seed(5);
  const FastestDet coco(DetectorConfig{.arch = "fastestdet", .num_classes = 80});
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [key, tensor] : module_state(coco)) dict.insert(key, tensor);
  const std::vector<char> bytes = torch::jit::pickle_save(c10::IValue(dict));
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  return path;
}

}  // namespace boxloop::loop::testing
