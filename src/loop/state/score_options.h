// The options of a score job (the loop's worker after each training, POST /api/jobs
// {"kind":"score"}, `boxloop score`). Free of LibTorch, so the server validates a score job's
// params when the job is created, with the code the worker reads them with.
#pragma once

#include <cstdint>
#include <string>

#include "active/labeling_costs.h"
#include "core/json.h"

namespace boxloop::loop {

inline constexpr int kDefaultPartImages = 2000;

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
  // What a +effort strategy divides uncertainty by. Not a job param: the loop uses the published
  // defaults, the simulation the costs its oracle charges (--cost-*).
  active::CostModel costs{};
};

// A score job's params: {"model": "3" | 3 | "last" | path, "strategy", "seed", "batch",
// "score_threshold", "candidates", "part_images"}, all optional. Unknown keys, wrong types,
// out-of-range values and malformed strategy specs are kInvalidArgument naming the key, so a typo
// does not silently score with defaults.
ScoreOptions score_options_from_json(const Json& params, ScoreOptions defaults = {});
Json to_json(const ScoreOptions& options);

}  // namespace boxloop::loop
