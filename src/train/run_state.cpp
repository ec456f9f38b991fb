#include "train/run_state.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

const char* kStateFile = "state.json";

void rename_into_place(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw Error{ErrorCode::kIo, "cannot rename " + from.string() + ": " + ec.message()};
}

}  // namespace

void save_checkpoint_atomically(Detector& detector, const fs::path& path,
                                const std::vector<std::string>& category_names, const Json& extra) {
  fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + ".tmp";
  save_checkpoint(detector, tmp, category_names, extra);
  // The sidecar first: a reader that finds the weights finds their description too.
  rename_into_place(tmp.string() + ".json", path.string() + ".json");
  rename_into_place(tmp, path);
}

std::optional<RunState> RunFolder::load_state() const {
  const fs::path file = dir_ / kStateFile;
  if (!fs::exists(file)) return std::nullopt;
  try {
    const Json j = Json::parse(read_file_bytes(file));
    RunState s;
    s.epoch = j.at("epoch").get<int>();
    s.step = j.at("step").get<int>();
    s.best_map50 = j.at("best_map50").get<double>();
    s.best_epoch = j.at("best_epoch").get<int>();
    s.evals_since_best = j.at("evals_since_best").get<int>();
    s.seconds = j.at("seconds").get<double>();
    s.epochs = j.at("epochs");
    s.best_per_class_ap50 = j.at("best_per_class_ap50");
    s.best_map = j.at("best_map").get<double>();
    s.final_map50 = j.value("final_map50", 0.0);
    s.final_map = j.value("final_map", 0.0);
    return s;
  } catch (const Json::exception& e) {
    throw Error{ErrorCode::kCorrupt, "the training state " + file.string() + " is unreadable (" +
                                         e.what() + "); delete " + dir_.string() +
                                         " to start the run over"};
  }
}

fs::path RunFolder::checkpoint(int epoch) const {
  return dir_ / ("epoch-" + std::to_string(epoch) + ".pt");
}

fs::path RunFolder::optimizer_file(int epoch) const {
  return dir_ / ("optimizer-" + std::to_string(epoch) + ".pt");
}

fs::path RunFolder::average_checkpoint(int epoch) const {
  return dir_ / ("average-" + std::to_string(epoch) + ".pt");
}

void RunFolder::save(Detector& detector, torch::optim::Optimizer& optimizer,
                     const std::vector<std::string>& category_names, const RunState& state,
                     Detector* average) const {
  fs::create_directories(dir_);
  const Json where{{"epoch", state.epoch}, {"step", state.step}};
  save_checkpoint_atomically(detector, checkpoint(state.epoch), category_names, where);
  if (average) {
    save_checkpoint_atomically(*average, average_checkpoint(state.epoch), category_names, where);
  }
  const fs::path opt_tmp = optimizer_file(state.epoch).string() + ".tmp";
  torch::save(optimizer, opt_tmp.string());
  rename_into_place(opt_tmp, optimizer_file(state.epoch));
  const Json j{{"epoch", state.epoch},
               {"step", state.step},
               {"best_map50", state.best_map50},
               {"best_epoch", state.best_epoch},
               {"evals_since_best", state.evals_since_best},
               {"seconds", state.seconds},
               {"epochs", state.epochs},
               {"best_per_class_ap50", state.best_per_class_ap50},
               {"best_map", state.best_map},
               {"final_map50", state.final_map50},
               {"final_map", state.final_map}};
  write_file_atomically(dir_ / kStateFile, j.dump());
  // Only now are older epochs' files no longer needed (saves may skip epochs).
  const std::string keep = "-" + std::to_string(state.epoch) + ".pt";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    const bool epoch_file = name.rfind("epoch-", 0) == 0 || name.rfind("optimizer-", 0) == 0 ||
                            name.rfind("average-", 0) == 0;
    if (epoch_file && name.find(keep) == std::string::npos) fs::remove(entry.path(), ec);
  }
}

void RunFolder::load_optimizer(torch::optim::Optimizer& optimizer, int epoch) const {
  const fs::path file = optimizer_file(epoch);
  try {
    torch::load(optimizer, file.string());
  } catch (const c10::Error& e) {
    throw Error{ErrorCode::kCorrupt, "the optimizer state " + file.string() +
                                         " is unreadable; delete " + dir_.string() +
                                         " to start the run over"};
  }
}

void RunFolder::remove() const {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec)
    spdlog::warn("could not remove the finished run folder {}: {}", dir_.string(), ec.message());
}

}  // namespace boxloop
