// The on-disk state of a training run, so a killed run resumes where it stopped.
//
// A run lives in <project>/models/runs/<key>/, where the key hashes everything that defines the
// run (architecture, hyper-parameters, starting point, seed and the labeled images with their
// versions): running the same command again on the same labels finds the unfinished run and
// resumes it. Per finished epoch E the folder holds `epoch-E.pt` (+ its JSON sidecar, via
// detector::save_checkpoint) and `optimizer-E.pt`; `state.json`, written last and atomically,
// names the epoch those files belong to, so a kill at any moment leaves a consistent state. A run
// that averages its weights (train/weight_average.h) also keeps `average-E.pt`, so a resumed run
// ends with the same average as an uninterrupted one.
// The folder is removed when the run finishes.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "detector/detector.h"

namespace boxloop {

struct RunState {
  int epoch = 0;  // epochs finished
  int step = 0;   // optimiser steps taken
  double best_map50 = -1;
  int best_epoch = 0;
  int evals_since_best = 0;
  double seconds = 0;                         // training time so far, over all sessions
  Json epochs = Json::array();                // the metrics "epochs" entries so far
  Json best_per_class_ap50 = Json::object();  // of the best evaluation
  double best_map = 0;                        // mAP@0.5:0.95 of the best evaluation
  double final_map50 = 0;                     // of the latest evaluation
  double final_map = 0;
};

class RunFolder {
 public:
  RunFolder(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }

  // The state of an unfinished run here, if any. Throws kCorrupt when state.json is unreadable.
  std::optional<RunState> load_state() const;
  std::filesystem::path checkpoint(int epoch) const;
  std::filesystem::path optimizer_file(int epoch) const;
  std::filesystem::path average_checkpoint(int epoch) const;

  // Saves model + optimizer (+ the weight average, when the run keeps one) for `state.epoch`,
  // then the state, then drops older epochs' files.
  void save(Detector& detector, torch::optim::Optimizer& optimizer,
            const std::vector<std::string>& category_names, const RunState& state,
            Detector* average = nullptr) const;
  // Loads the optimizer state of `epoch`; throws kCorrupt naming the file.
  void load_optimizer(torch::optim::Optimizer& optimizer, int epoch) const;
  void remove() const;

 private:
  std::filesystem::path dir_;
};

// Saves a checkpoint under a temporary name and renames it (and its sidecar) into place.
void save_checkpoint_atomically(Detector& detector, const std::filesystem::path& path,
                                const std::vector<std::string>& category_names, const Json& extra);

}  // namespace boxloop
