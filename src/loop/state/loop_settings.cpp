#include "loop/state/loop_settings.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "active/strategy.h"
#include "core/error.h"
#include "core/json_read.h"
#include "loop/state/settings_change.h"

namespace boxloop::loop {

namespace {

// The store checks a stored strategy only for being a string (it cannot link active/); one this
// version cannot parse (a spec stored before specs were checked, or an older version's name)
// scores with the default order, said once per spec: the loop is read on every request.
std::string usable_strategy(const std::string& spec) {
  if (spec.empty()) return active::default_strategy_spec();
  try {
    active::parse_strategy(spec);
    return spec;
  } catch (const Error& e) {
    static std::mutex mutex;
    static std::set<std::string> warned;
    const std::string fallback = active::default_strategy_spec();
    std::lock_guard lock(mutex);
    if (warned.insert(spec).second) {
      spdlog::warn("the stored strategy \"{}\" does not parse ({}); {} is used", spec, e.what(),
                   fallback);
    }
    return fallback;
  }
}

}  // namespace

LoopSettings loop_settings(const ProjectSettings& settings) {
  return LoopSettings{.enabled = settings.loop_enabled,
                      .every = settings.trigger_every,
                      .strategy = usable_strategy(settings.strategy)};
}

LoopSettings loop_settings(Store& store) { return loop_settings(store.settings()); }

LoopSettingsChange loop_settings_change_from_json(const Json& body) {
  if (!body.is_object()) {
    throw Error{ErrorCode::kInvalidArgument, "the loop settings must be a JSON object"};
  }
  LoopSettingsChange change;
  for (const auto& [key, value] : body.items()) {
    if (key == "enabled") {
      if (!value.is_boolean())
        throw Error{ErrorCode::kInvalidArgument, "'enabled' must be true or false"};
      change.enabled = value.get<bool>();
    } else if (key == "every") {
      if (!value.is_number_integer() || value.get<long long>() < 1 ||
          value.get<long long>() > kMaxTriggerEvery) {
        throw Error{ErrorCode::kInvalidArgument,
                    "'every' must be a whole number of label events from 1 to " +
                        std::to_string(kMaxTriggerEvery)};
      }
      change.every = value.get<int>();
    } else if (key == "strategy") {
      change.strategy = read_string(value, "strategy", kMaxSettingText);
    } else {
      throw Error{ErrorCode::kInvalidArgument,
                  "unknown loop setting '" + key + "' (enabled, every, strategy)"};
    }
  }
  return change;
}

void apply(const LoopSettingsChange& change, ProjectSettings& settings) {
  if (change.enabled) settings.loop_enabled = *change.enabled;
  if (change.every) settings.trigger_every = *change.every;
  if (change.strategy) settings.strategy = *change.strategy;
}

LoopSettings update_loop_settings(Store& store, const LoopSettingsChange& change) {
  return loop_settings(
      change_settings(store, [&](ProjectSettings& settings) { apply(change, settings); }));
}

LoopSettings update_loop_settings(Store& store, const Json& body) {
  return update_loop_settings(store, loop_settings_change_from_json(body));
}

std::vector<std::string> suggested_strategies() {
  std::vector<std::string> specs = {"random",
                                    "least_confidence",
                                    "margin",
                                    "entropy",
                                    "entropy:mean",
                                    "least_confidence:sum",
                                    "least_confidence+balanced",
                                    "least_confidence:mean+diverse",
                                    "entropy:mean+diverse"};
  const std::string fallback = active::default_strategy_spec();
  if (std::find(specs.begin(), specs.end(), fallback) == specs.end()) specs.push_back(fallback);
  return specs;
}

}  // namespace boxloop::loop
