// Simulated labeling: replays the loop on a fully labeled project, with the project's own labels
// as the oracle, to measure whether a query strategy beats random order (DESIGN.md "Evidence").
//
// A fixed test split (by image hash, the same for every run) is held out; the rest is the pool.
// Each run (strategy x seed) works in its own scratch project: `start` pool images chosen at
// random (the same images for every strategy of a seed, so runs of one seed differ only by the
// order they query), then per round: train with the same step budget for every strategy, score
// mAP on the test split, let the strategy order the unlabeled pool (the real scoring code,
// loop/score.h) and "label" its first `step` images. Cost is counted in images and in boxes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace boxloop::loop {

struct SimulationOptions {
  std::vector<std::string> strategies{"random", "least_confidence"};
  std::vector<std::uint64_t> seeds{1, 2};
  int start = 20;  // images labeled at random before the first model
  int step = 20;   // images labeled per round
  int rounds = 6;  // models trained (the last on start + (rounds - 1) * step images)
  double test_fraction = 0.2;
  std::uint64_t split_seed = 7;
  // Training of every round: the same for every strategy, so curves compare query orders.
  std::string arch = "fastestdet";
  int steps = 250;  // optimiser steps per round
  int batch = 8;
  int input_size = 256;
  double lr = 0.01;
  bool warm_start = true;  // each round starts from the previous round's model (as the loop does)
  std::string first_from = "pretrained";  // the first round's start: "pretrained" | "scratch"
  std::filesystem::path pretrained;  // weights for the first round; empty: search as `train` does
  std::vector<std::filesystem::path> pretrained_fallbacks;
  std::filesystem::path work_dir;  // scratch projects go here (one per run, removed after)
  // Runs already in this report (same strategy and seed) are kept, not run again, so a killed
  // simulation continues where it stopped.
  Json previous_report;
};

// One point of a learning curve.
struct RoundResult {
  int images = 0;  // labeled images the model was trained on
  int boxes = 0;   // boxes on them
  double map50 = 0;
  double map = 0;
  double train_seconds = 0;
};

struct RunResult {
  std::string strategy;
  std::uint64_t seed = 0;
  std::vector<RoundResult> rounds;
};

// Called after every run with the report so far (write it to disk: a kill loses one run at most).
using ReportFn = std::function<void(const Json& report)>;
using RoundFn = std::function<void(const RunResult& run)>;

// Throws kInvalidArgument when the project has too few labeled images for the split, start and
// rounds asked for, or a strategy spec is malformed (checked before any training).
Json simulate(Store& source, const SimulationOptions& options, const ReportFn& on_report = nullptr,
              const RoundFn& on_round = nullptr);

// The summary part of a report: per strategy and round the mean mAP@0.5 / boxes over seeds, the
// area under the curve (mean mAP@0.5 over rounds) per seed, and the paired difference from
// random per seed (runs of one seed start from the same images).
Json summarise(const Json& runs);

}  // namespace boxloop::loop
