#include "loop/round_options.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "loop/state/rounds.h"
#include "loop/state/settings_change.h"
#include "train/model_source.h"

namespace boxloop::loop {

TrainOptions train_job_options(Store& store, const Json& params,
                               const std::vector<std::filesystem::path>& pretrained_fallbacks) {
  Json own = params.is_object() ? params : Json::object();
  const bool loop_round = own.contains(kRoundAfterEventKey);
  own.erase(kRoundAfterEventKey);

  TrainOptions defaults;
  defaults.pretrained_fallbacks = pretrained_fallbacks;
  if (!loop_round) return train_options_from_json(own, defaults);

  const ProjectSettings settings = store.settings();
  defaults.arch = settings.model.arch;
  defaults.steps = kRoundSteps;
  defaults.batch = kRoundBatch;
  defaults.input_size = kRoundInputSize;
  defaults.warmup_steps = kRoundSteps / 4;
  defaults.time_budget_seconds = kRoundTimeBudgetSeconds;
  defaults.val_fraction = 0;
  defaults.include_audit = false;
  defaults.allow_empty_categories = true;
  defaults.from = "";
  TrainOptions options = read_train_settings(settings, defaults);
  options = train_options_from_json(own, options);
  options.pretrained_fallbacks = pretrained_fallbacks;
  if (!options.from.empty()) return options;

  if (store.latest_model()) {
    options.from = "last";
    return options;
  }
  try {
    find_pretrained(store.dir(), options.arch, options.pretrained, pretrained_fallbacks);
    options.from = "pretrained";
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound) throw;
    spdlog::warn("loop: no pretrained weights for {} ({}); the first round trains from scratch",
                 options.arch, e.what());
    options.from = "scratch";
  }
  return options;
}

}  // namespace boxloop::loop
