#include "loop/state/loop_settings.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "active/strategy.h"
#include "core/error.h"

namespace boxloop::loop {

namespace {
constexpr const char* kEnabledKey = "loop_enabled";
constexpr const char* kEveryKey = "trigger_every";
constexpr const char* kStrategyKey = "strategy";

// The store checks a stored strategy only for being a string (it cannot link active/); one this
// version cannot parse (a spec stored before specs were checked, or an older version's name)
// scores with the default order, said once per spec: the loop is read on every request.
std::string usable_strategy(const std::string& spec) {
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

LoopSettings loop_settings(Store& store) {
  const Json settings = store.settings();
  LoopSettings out;
  if (const auto it = settings.find(kEnabledKey); it != settings.end() && it->is_boolean()) {
    out.enabled = it->get<bool>();
  }
  if (const auto it = settings.find(kEveryKey); it != settings.end() && it->is_number_integer()) {
    out.every = std::max(1, it->get<int>());
  }
  // Types and ranges: the store read every stored value back through validate_settings.
  const auto it = settings.find(kStrategyKey);
  out.strategy = it != settings.end() && it->is_string() && !it->get<std::string>().empty()
                     ? usable_strategy(it->get<std::string>())
                     : active::default_strategy_spec();
  return out;
}

LoopSettings update_loop_settings(Store& store, const Json& patch) {
  if (!patch.is_object()) {
    throw Error{ErrorCode::kInvalidArgument, "the loop settings must be a JSON object"};
  }
  Json stored = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (key == "enabled") {
      if (!value.is_boolean())
        throw Error{ErrorCode::kInvalidArgument, "'enabled' must be true or false"};
      stored[kEnabledKey] = value;
    } else if (key == "every") {
      if (!value.is_number_integer() || value.get<long long>() < 1 ||
          value.get<long long>() > 1'000'000) {
        throw Error{ErrorCode::kInvalidArgument,
                    "'every' must be a whole number of label events from 1 to 1000000"};
      }
      stored[kEveryKey] = value;
    } else if (key == "strategy") {
      if (!value.is_string())
        throw Error{ErrorCode::kInvalidArgument, "'strategy' must be a string"};
      try {
        active::parse_strategy(value.get<std::string>());
      } catch (const Error& e) {
        throw Error{ErrorCode::kInvalidArgument, std::string("'strategy': ") + e.what()};
      }
      stored[kStrategyKey] = value;
    } else {
      throw Error{ErrorCode::kInvalidArgument,
                  "unknown loop setting '" + key + "' (enabled, every, strategy)"};
    }
  }
  if (!stored.empty()) store.update_settings(stored);
  return loop_settings(store);
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
