#include <spdlog/spdlog.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>

#include "core/error.h"
#include "detector/detector.h"
#include "detector/pretrained.h"

namespace boxloop {

namespace {

constexpr const char* kFormat = "boxloop-detector";
constexpr int kVersion = 1;

std::filesystem::path sidecar_path(const std::filesystem::path& path) {
  return std::filesystem::path(path.string() + ".json");
}

// Written beside the target and renamed over it, so a crash never leaves half a checkpoint.
void write_file_atomically(const std::filesystem::path& path, const char* data, size_t size) {
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data, static_cast<std::streamsize>(size));
    out.close();
    if (!out) throw Error(ErrorCode::kIo, "cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(ErrorCode::kIo, "cannot move " + tmp.string() + ": " + ec.message());
}

}  // namespace

void save_checkpoint(Detector& detector, const std::filesystem::path& path,
                     const std::vector<std::string>& category_names, const nlohmann::json& extra) {
  const auto& config = detector.config();
  if (!category_names.empty() && static_cast<int>(category_names.size()) != config.num_classes) {
    throw Error(ErrorCode::kInvalidArgument, std::to_string(category_names.size()) +
                                                 " category names for a model of " +
                                                 std::to_string(config.num_classes) + " classes");
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());

  // A plain name -> tensor dict: Python's torch.load reads it as a state_dict too.
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [name, tensor] : module_state(detector)) {
    dict.insert(name, tensor.detach().to(torch::kCPU).contiguous());
  }
  const auto bytes = torch::jit::pickle_save(c10::IValue(dict));
  write_file_atomically(path, bytes.data(), bytes.size());

  nlohmann::json sidecar = {{"format", kFormat},
                            {"version", kVersion},
                            {"config", to_json(config)},
                            {"categories", category_names},
                            {"extra", extra}};
  const std::string text = sidecar.dump(2);
  write_file_atomically(sidecar_path(path), text.data(), text.size());
}

LoadedCheckpoint load_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::kNotFound, "no checkpoint " + path.string());
  }
  const auto side = sidecar_path(path);
  if (!std::filesystem::is_regular_file(side, ec)) {
    throw Error(ErrorCode::kNotFound, "checkpoint " + path.string() + " has no sidecar " +
                                          side.string() + " (it names the architecture)");
  }
  LoadedCheckpoint loaded;
  try {
    std::ifstream in(side);
    loaded.sidecar = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kCorrupt, side.string() + " is not valid JSON: " + e.what());
  }
  if (!loaded.sidecar.is_object() || loaded.sidecar.value("format", "") != kFormat) {
    throw Error(ErrorCode::kCorrupt, side.string() + " is not a boxloop checkpoint sidecar");
  }
  DetectorConfig config;
  try {
    config = detector_config_from_json(loaded.sidecar.at("config"));
    loaded.category_names = loaded.sidecar.value("categories", std::vector<std::string>{});
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCorrupt, side.string() + ": " + e.what());
  }
  loaded.detector = make_detector(config);

  StateDict state;
  try {
    state = read_state_dict(path);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kNotFound) throw;
    throw Error(ErrorCode::kCorrupt, std::string("checkpoint ") + e.what());
  }
  auto report = load_state_dict_by_name(*loaded.detector, state);
  if (!report.missing.empty() || !report.shape_mismatch.empty()) {
    const auto& first =
        report.missing.empty() ? report.shape_mismatch.front() : report.missing.front();
    throw Error(ErrorCode::kCorrupt,
                "checkpoint " + path.string() + " does not fit its sidecar's " + config.arch +
                    " with " + std::to_string(config.num_classes) + " classes (" +
                    std::to_string(report.missing.size()) + " tensors missing, " +
                    std::to_string(report.shape_mismatch.size()) + " of another shape, e.g. " +
                    first + ")");
  }
  return loaded;
}

}  // namespace boxloop
