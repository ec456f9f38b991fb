#include "store/settings.h"

#include <set>

#include "core/error.h"
#include "core/json_read.h"

namespace boxloop {
namespace {

constexpr const char* kModelKey = "model";
constexpr const char* kTrainKey = "train";
constexpr const char* kThresholdKey = "proposal_threshold";

// The member `key` of `object`, or nullptr when it has none.
const Json* member(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

Json default_settings() {
  // No "strategy": absent means active::default_strategy_spec(), the order chosen by simulation,
  // so a project that never picked one follows a better default when one is found.
  // audit_fraction 0.1: a tenth of the images served are drawn at random for the audit set. Fewer
  // (0.05) leaves 6 audit images at 120 labeled, too few for an interval that says anything;
  // more takes labels from training that the sampler could have chosen.
  return Json{{"trigger_every", 20},
              {"lease_seconds", 300},
              {"audit_fraction", 0.1},
              // null: chosen per model by each score job (F1 on the audit set).
              {"proposal_threshold", nullptr},
              {"model", {{"arch", "fastestdet"}, {"input_size", 352}}},
              {"train", Json::object()}};
}

Json settings_with_defaults(const Json& stored) {
  const Json defaults = default_settings();
  Json settings = defaults;
  settings.merge_patch(stored);
  for (const auto& [key, value] : defaults.items()) {
    if (value.is_null() && !settings.contains(key)) settings[key] = nullptr;
  }
  return settings;
}

const std::vector<std::string>& known_settings_keys() {
  static const std::vector<std::string> keys{"lease_seconds", "trigger_every",  "loop_enabled",
                                             "strategy",      "audit_fraction", kThresholdKey,
                                             kModelKey,       kTrainKey};
  return keys;
}

namespace {

// Throws kInvalidArgument naming `key` when its value has the wrong type or range (the rules of
// validate_settings); an unknown key passes.
void validate_setting(const std::string& key, const Json& value) {
  if (key == "lease_seconds") {
    read_int(value, "lease_seconds", kMinLeaseSeconds, kMaxLeaseSeconds);
  } else if (key == "trigger_every") {
    read_int(value, "trigger_every", 1, kMaxTriggerEvery);
  } else if (key == "loop_enabled") {
    read_bool(value, "loop_enabled");
  } else if (key == "strategy") {
    read_string(value, "strategy", kMaxSettingText);
  } else if (key == "audit_fraction") {
    read_number(value, "audit_fraction", 0, kMaxAuditFraction);
  } else if (key == kThresholdKey) {
    if (!value.is_null()) read_number(value, kThresholdKey, 0, 1);
  } else if (key == kModelKey) {
    if (!value.is_object()) {
      throw Error(ErrorCode::kInvalidArgument, "'model' must be an object {arch, input_size}");
    }
    if (const Json* v = member(value, "arch")) read_string(*v, "model.arch", kMaxSettingText);
    if (const Json* v = member(value, "input_size")) {
      if (read_int(*v, "model.input_size", kMinInputSize, kMaxInputSize) % kMinInputSize != 0) {
        throw Error(ErrorCode::kInvalidArgument, "'model.input_size' must be a multiple of 32");
      }
    }
  } else if (key == kTrainKey && !value.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "'train' must be an object of training options");
  }
}

// Parses stored settings without building anything nested deeper than kMaxStoredSettingsDepth
// (nlohmann's parser itself does not recurse); `too_deep` gets the top-level keys cut so.
Json parse_bounded(const std::string& text, std::set<std::string>& too_deep) {
  std::string top_key;
  const Json::parser_callback_t callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key) top_key = parsed.get<std::string>();
    const bool starts =
        event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
    if (starts && depth > kMaxStoredSettingsDepth) {
      too_deep.insert(top_key);
      return false;  // not built, nor anything inside it
    }
    return true;
  };
  return Json::parse(text, callback, /*allow_exceptions=*/false);
}

}  // namespace

void validate_settings(const Json& settings) {
  if (!settings.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "settings must be a JSON object");
  }
  for (const std::string& key : known_settings_keys()) {
    if (const Json* v = member(settings, key.c_str())) validate_setting(key, *v);
  }
}

StoredSettings read_stored_settings(const std::string& text) {
  StoredSettings out;
  std::set<std::string> too_deep;
  Json stored = parse_bounded(text, too_deep);
  if (stored.is_discarded() || !stored.is_object()) {
    out.problems.push_back("the stored settings are not a JSON object; every default is used");
    out.settings = settings_with_defaults(Json::object());
    return out;
  }
  for (const std::string& key : too_deep) {
    stored.erase(key);
    out.problems.push_back("'" + key + "' nests deeper than " +
                           std::to_string(kMaxStoredSettingsDepth) + " levels; dropped");
  }
  out.settings = settings_with_defaults(stored);
  const Json defaults = default_settings();
  for (const std::string& key : known_settings_keys()) {
    const auto it = out.settings.find(key);
    if (it == out.settings.end()) continue;
    try {
      validate_setting(key, *it);
    } catch (const Error& e) {
      const auto fallback = defaults.find(key);
      if (fallback != defaults.end()) {
        *it = *fallback;
        out.problems.push_back(std::string(e.what()) + "; the default is used");
      } else {
        out.settings.erase(it);
        out.problems.push_back(std::string(e.what()) + "; left out");
      }
    }
  }
  return out;
}

int lease_seconds(const Json& settings) {
  const Json* v = settings.is_object() ? member(settings, "lease_seconds") : nullptr;
  if (!v) return kDefaultLeaseSeconds;
  try {
    return static_cast<int>(read_int(*v, "lease_seconds", kMinLeaseSeconds, kMaxLeaseSeconds));
  } catch (const Error&) {
    return kDefaultLeaseSeconds;
  }
}

std::optional<double> proposal_threshold(const Json& settings) {
  const Json* v = settings.is_object() ? member(settings, kThresholdKey) : nullptr;
  if (!v || v->is_null()) return std::nullopt;
  try {
    return read_number(*v, kThresholdKey, 0, 1);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace boxloop
