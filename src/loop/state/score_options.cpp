#include "loop/state/score_options.h"

#include <cstdint>

#include "core/error.h"
#include "core/json_read.h"
#include "loop/state/settings_change.h"

namespace boxloop::loop {

ScoreOptions score_options_from_json(const Json& params, ScoreOptions o) {
  if (params.is_null()) return o;
  if (!params.is_object()) {
    throw Error{ErrorCode::kInvalidArgument, "scoring parameters must be a JSON object"};
  }
  for (const auto& [key, value] : params.items()) {
    if (key == "model") {
      // The page and the worker name a model by its id; both spellings mean the same.
      o.model = value.is_number() ? std::to_string(read_int(value, key, 1, INT64_MAX))
                                  : read_string(value, key, 4096);
    } else if (key == "strategy") {
      o.strategy = read_string(value, key, 256);
      check_strategy_setting(o.strategy);
    } else if (key == "seed") {
      o.seed = read_uint64(value, key);
    } else if (key == "batch") {
      o.batch = static_cast<int>(read_int(value, key, 1, 1024));
    } else if (key == "score_threshold") {
      o.score_threshold = static_cast<float>(read_number(value, key, 0, 1));
    } else if (key == "candidates") {
      o.candidates = static_cast<int>(read_int(value, key, 0, 100'000'000));
    } else if (key == "part_images") {
      o.part_images = static_cast<int>(read_int(value, key, 0, 100'000'000));
    } else if (key == "first_batch") {
      o.first_batch = first_batch_from_string(read_string(value, key, 32));
    } else {
      throw Error{ErrorCode::kInvalidArgument,
                  "unknown scoring parameter '" + key +
                      "' (model, strategy, seed, batch, score_threshold, candidates, part_images, "
                      "first_batch)"};
    }
  }
  return o;
}

std::string to_string(FirstBatch order) {
  return order == FirstBatch::kTypical ? "typical" : "random";
}

FirstBatch first_batch_from_string(const std::string& text) {
  if (text == "random") return FirstBatch::kRandom;
  if (text == "typical") return FirstBatch::kTypical;
  throw Error{ErrorCode::kInvalidArgument,
              "'first_batch' must be \"random\" or \"typical\", not \"" + text + "\""};
}

std::string first_batch_queue_strategy(FirstBatch order) {
  return to_string(order) + " first batch";
}

bool is_first_batch_queue_strategy(const std::string& strategy) {
  return strategy == first_batch_queue_strategy(FirstBatch::kRandom) ||
         strategy == first_batch_queue_strategy(FirstBatch::kTypical);
}

Json to_json(const ScoreOptions& o) {
  Json out{{"model", o.model},
           {"strategy", o.strategy},
           {"seed", o.seed},
           {"batch", o.batch},
           {"score_threshold", o.score_threshold},
           {"candidates", o.candidates},
           {"part_images", o.part_images}};
  if (o.first_batch) out["first_batch"] = to_string(*o.first_batch);
  return out;
}

}  // namespace boxloop::loop
