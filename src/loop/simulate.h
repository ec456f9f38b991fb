// Simulated labeling: replays the loop on a fully labeled project, with the project's own labels
// as the oracle, to measure whether a query strategy beats random order (DESIGN.md "Evidence").
//
// The test set is either a fixed split of the project (by image hash, the same for every run and
// for any number of images) or an external annotated set, and then the whole project is the pool.
// Each run (strategy x seed) works in its own scratch project that holds the source project's
// "model" and "train" settings: `start` pool images chosen at random (the same images for every
// strategy of a seed, so runs of one seed differ only by the order they query; or TypiClust's
// typical, spread-out images, kTypicalStartPrefix), then per round:
// train exactly as a loop round trains (loop::train_job_options for a round on the scratch
// project: the same step budget, input size, warm start, augmentation, every label, no
// validation; only the seed is the run's), score the final weights on the test set (never used
// to select anything), let the strategy order the unlabeled pool (the real scoring code,
// loop/score.h) and "label" its first `step` images. Cost is counted in images, in boxes and in
// effort: the oracle labels each image as a labeler would with the proposals the page shows on it
// (the scoring model's, stored by the score step; none in the first round), and its actions are
// charged with the cost model (loop/state/oracle_effort.h). The statistics are
// loop/simulation_report.h's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "loop/simulation_report.h"
#include "loop/state/oracle_effort.h"
#include "store/store.h"
#include "train/options/train_options.h"

namespace boxloop::loop {

// A strategy name in SimulationOptions::strategies with this prefix ("typiclust/random") starts
// its runs with TypiClust's first batch (loop/score.h typical_spread_images on the pretrained
// weights) instead of the seed's random images; it is paired against "random" like any other.
inline constexpr std::string_view kTypicalStartPrefix = "typiclust/";
// A strategy name with this prefix ("regions/least_confidence:sum") asks box-level queries in the
// rounds after the first (loop/state/box_query.h): the strategy's queue in its order, each image
// asked about the regions its scoring model is unsure of and labeled only inside them (an image
// where the model is sure of everything is passed over), until `step` images are labeled. The
// boxes counted are the ones labeled. The first `start` images are labeled whole.
inline constexpr std::string_view kBoxQueryPrefix = "regions/";
// The same box-level queries, and the settled detections outside the asked regions saved as the
// model's boxes (source "model"), their regions known too: ComPAS's pseudo-labels (Lyu et al.).
// Only the boxes people labeled are counted.
inline constexpr std::string_view kBoxQueryKeepSettledPrefix = "regions+settled/";
// As regions+settled/, with every proposal the page would show (a detection at or above the
// proposal threshold) settled and kept: people label only what the model barely sees.
inline constexpr std::string_view kBoxQueryKeepProposalsPrefix = "regions+proposals/";

struct SimulationOptions {
  std::vector<std::string> strategies{"random", "least_confidence:sum+effort"};
  std::vector<std::uint64_t> seeds{1, 2, 3, 4, 5};
  int start = 20;  // images labeled at random before the first model
  int step = 20;   // images labeled per round
  int rounds = 6;  // models trained (the last on start + (rounds - 1) * step images)
  // The test split of the project (used when no external test set is given).
  double test_fraction = 0.2;
  std::uint64_t split_seed = 7;
  // An external test set (both or neither): images and their VOC folder / COCO / CSV labels.
  std::filesystem::path test_images;
  std::filesystem::path test_annotations;
  // Written over the source project's "train" settings in every scratch project, so they reach
  // the rounds through the loop's own code (the keys of train_options_from_json, e.g. steps,
  // input_size, arch). Empty: the rounds train exactly as the project's loop does.
  Json train_overrides = Json::object();
  std::filesystem::path pretrained;  // the first round's weights; empty: searched as a round does
  std::vector<std::filesystem::path> pretrained_fallbacks;
  // Seconds per oracle action, and where they come from ("published" defaults, "measured" on the
  // project's labelers, "given"): both are in the report's options.
  CostModel costs;
  std::string cost_source = "published";
  std::filesystem::path work_dir;  // scratch projects go here (one per run, removed after)
  std::string commit = "unknown";  // of the code that runs (recorded in the report and each run)
  // Runs already in this report (same strategy and seed, same design) are kept, not run again,
  // so a killed simulation continues where it stopped.
  Json previous_report;
};

// A round's training options in a scratch project: the loop round's (train_job_options), with
// the run's seed for this round. Exposed so a test can hold the simulation to the product.
TrainOptions simulation_round_options(Store& scratch, std::uint64_t seed, int round,
                                      const std::vector<std::filesystem::path>& fallbacks);

// Called after every run with the report so far (write it to disk: a kill loses one run at most).
using ReportFn = std::function<void(const Json& report)>;
// Called after every round with the run so far and the options the round trained with.
using RoundFn = std::function<void(const RunResult& run, const TrainOptions& trained_with)>;

// The report (JSON): {"format": 2, "commit", "dirty"?, "created", "options": {...},
// "round_training": the options of a round minus seed and start, "test": {"kind":
// "split"|"external", "images", "boxes", ...}, "pool_images", "runs": [to_json(RunResult)],
// "summary": to_json(summarise(runs))}. Throws kInvalidArgument when the project has too few
// labeled images for the split, start and rounds asked for, a strategy spec or a training override
// is malformed, or the previous report is of another design (all checked before any training).
Json simulate(Store& source, const SimulationOptions& options, const ReportFn& on_report = nullptr,
              const RoundFn& on_round = nullptr);

// The runs of a report (its "runs"), typed. Throws kCorrupt.
std::vector<RunResult> report_runs(const Json& report);

}  // namespace boxloop::loop
