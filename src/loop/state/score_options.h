// The options of a score job (the loop's worker after each training, POST /api/jobs
// {"kind":"score"}, `boxloop score`). Free of LibTorch, so the server validates a score job's
// params when the job is created, with the code the worker reads them with.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "active/labeling_costs.h"
#include "core/json.h"

namespace boxloop::loop {

inline constexpr int kDefaultPartImages = 2000;

// How the loop orders the pool before there is any model (loop/first_batch.h): in a seeded random
// order, or TypiClust's typical, spread-out images first (Hacohen et al., ICML 2022).
enum class FirstBatch { kRandom, kTypical };
std::string to_string(FirstBatch order);  // "random", "typical"
// Throws kInvalidArgument naming the values.
FirstBatch first_batch_from_string(const std::string& text);
// The strategy a first batch's queue records ("random first batch"), and whether a queue's
// strategy is one.
std::string first_batch_queue_strategy(FirstBatch order);
bool is_first_batch_queue_strategy(const std::string& strategy);

struct ScoreOptions {
  std::string model = "last";  // a model id of the project, "last", or a checkpoint file
  std::string strategy;        // a strategy spec; empty: the project's setting, else the default
  std::uint64_t seed = 1;      // tie-breaking and the random strategy
  int batch = 8;               // images per forward pass
  // Low, so that weak early models still give the sampler boxes to look at.
  float score_threshold = 0.05f;
  // 0: score every unlabeled image. N > 0: a pool larger than N scores N candidates, the rest
  // keep their place (loop/state/candidates.h); the loop's rounds set it, a manual job need not.
  int candidates = 0;
  // A job scoring more images than this splits their detection into parts that any worker may
  // claim (loop/score_parts.h); 0: never split. Parts pay a model load each and a file of
  // detections; a few thousand images (minutes on a CPU) keep that small beside the work.
  int part_images = kDefaultPartImages;
  // Set: the job orders the pool for the first round instead (no model; model, strategy,
  // candidates and part_images are ignored).
  std::optional<FirstBatch> first_batch;
  // Where the first batch looks for pretrained weights after the project's own (not a job param:
  // the runner's).
  std::vector<std::filesystem::path> pretrained_fallbacks{};
  // What a +effort strategy divides uncertainty by. Not a job param: the loop uses the published
  // defaults, the simulation the costs its oracle charges (--cost-*).
  active::CostModel costs{};
};

// A score job's params: {"model": "3" | 3 | "last" | path, "strategy", "seed", "batch",
// "score_threshold", "candidates", "part_images", "first_batch": "random" | "typical"}, all
// optional. Unknown keys, wrong types,
// out-of-range values and malformed strategy specs are kInvalidArgument naming the key, so a typo
// does not silently score with defaults.
ScoreOptions score_options_from_json(const Json& params, ScoreOptions defaults = {});
Json to_json(const ScoreOptions& options);

}  // namespace boxloop::loop
