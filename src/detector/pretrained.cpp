#include "detector/pretrained.h"

#include <caffe2/serialize/inline_container.h>
#include <spdlog/spdlog.h>
#include <torch/script.h>

#include <fstream>
#include <set>

#include "core/error.h"
#include "detector/state_dict_pickle.h"

namespace boxloop {

namespace {

const char* const kResaveHint =
    "re-save it from Python as a plain CPU state_dict: "
    "sd = torch.load(path, map_location='cpu'); "
    "torch.save({k: v.cpu() for k, v in sd.items()}, path)";

std::string first_bytes(const std::filesystem::path& path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(count, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(count));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

StateDict read_torchscript(const std::filesystem::path& pth) {
  auto module = torch::jit::load(pth.string(), torch::kCPU);
  StateDict out;
  for (const auto& p : module.named_parameters()) out.emplace_back(p.name, p.value);
  for (const auto& b : module.named_buffers()) out.emplace_back(b.name, b.value);
  return out;
}

}  // namespace

StateDict read_state_dict(const std::filesystem::path& pth) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(pth, ec)) {
    throw Error(ErrorCode::kNotFound, "no weights file " + pth.string());
  }
  const std::string magic = first_bytes(pth, 2);
  if (magic.size() == 2 && static_cast<unsigned char>(magic[0]) == 0x80) {
    throw Error(ErrorCode::kUnsupported,
                pth.string() +
                    " is in PyTorch's legacy (pre-1.6, non-zip) format, which LibTorch "
                    "cannot read; " +
                    kResaveHint);
  }
  if (magic != "PK") {
    throw Error(ErrorCode::kCorrupt, pth.string() + " is not a PyTorch .pth file (not a zip)");
  }
  try {
    caffe2::serialize::PyTorchStreamReader reader(pth.string());
    if (reader.hasRecord("constants.pkl")) return read_torchscript(pth);
    if (!reader.hasRecord("data.pkl")) {
      throw Error(ErrorCode::kCorrupt, "a zip without data.pkl is not a .pth");
    }
    auto [pickle_data, pickle_size] = reader.getRecord("data.pkl");
    const auto entries = parse_state_dict_pickle(
        std::string(static_cast<const char*>(pickle_data.get()), pickle_size));
    if (entries.empty()) {
      throw Error(ErrorCode::kUnsupported, "it holds a dict without tensors");
    }
    // Storages are read once each (several tensors may view one) and copied to CPU tensors,
    // whatever device they were saved from.
    std::map<std::string, std::tuple<at::DataPtr, size_t>> storages;
    StateDict out;
    for (const auto& [name, spec] : entries) {
      auto it = storages.find(spec.storage_key);
      if (it == storages.end()) {
        it = storages.emplace(spec.storage_key, reader.getRecord("data/" + spec.storage_key)).first;
      }
      out.emplace_back(name,
                       materialise(spec, std::get<0>(it->second).get(), std::get<1>(it->second)));
    }
    return out;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kUnsupported) {
      throw Error(e.code(), pth.string() + ": " + e.what() + "; " + kResaveHint);
    }
    throw Error(e.code(), pth.string() + ": " + e.what());
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw Error(ErrorCode::kCorrupt,
                pth.string() + " is truncated or damaged and cannot be read: " + what);
  }
}

StateDict module_state(const torch::nn::Module& module) {
  StateDict out;
  for (const auto& p : module.named_parameters(true)) out.emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers(true)) out.emplace_back(b.key(), b.value());
  return out;
}

StateDictLoadReport load_state_dict_by_name(torch::nn::Module& module, const StateDict& state,
                                            const std::string& key_prefix) {
  auto targets = module_state(module);
  std::map<std::string, torch::Tensor> by_name(targets.begin(), targets.end());
  StateDictLoadReport report;
  std::set<std::string> seen;
  torch::NoGradGuard no_grad;
  for (const auto& [file_name, value] : state) {
    const std::string name = key_prefix + file_name;
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      report.unused.push_back(file_name);
      continue;
    }
    seen.insert(name);
    if (it->second.sizes() != value.sizes()) {
      report.shape_mismatch.push_back(name);
      continue;
    }
    it->second.copy_(value);
    report.loaded.push_back(name);
  }
  for (const auto& [name, tensor] : targets) {
    if (!seen.count(name)) report.missing.push_back(name);
  }
  return report;
}

}  // namespace boxloop

namespace boxloop {

std::vector<std::string> load_pretrained_into(torch::nn::Module& module, const std::string& arch,
                                              const std::filesystem::path& pth) {
  const auto state = read_state_dict(pth);
  // Try both placements on a throw-away count first: loading is a copy we cannot undo.
  std::set<std::string> names;
  for (const auto& [name, tensor] : module_state(module)) names.insert(name);
  auto matches = [&](const std::string& prefix) {
    int count = 0;
    for (const auto& entry : state) count += names.count(prefix + entry.first) ? 1 : 0;
    return count;
  };
  const std::string prefix = matches("backbone.") > matches("") ? "backbone." : "";
  auto report = load_state_dict_by_name(module, state, prefix);
  if (report.loaded.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                pth.string() + " has no tensor that fits " + arch + " (first key: " +
                    (state.empty() ? std::string("none") : state.front().first) + ")");
  }
  spdlog::info("{}: loaded {} of {} tensors from {}", arch, report.loaded.size(),
               report.loaded.size() + report.missing.size(), pth.string());
  for (const auto& name : report.shape_mismatch) {
    spdlog::info("{}: kept fresh initialisation of {} (shape differs from the file)", arch, name);
  }
  if (!report.unused.empty()) {
    spdlog::info("{}: {} tensors of the file have no place in the model, e.g. {}", arch,
                 report.unused.size(), report.unused.front());
  }
  return report.loaded;
}

}  // namespace boxloop
