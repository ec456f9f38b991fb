#include "store/settings.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/json_read.h"

namespace boxloop {
namespace {

constexpr const char* kLeaseKey = "lease_seconds";
constexpr const char* kEveryKey = "trigger_every";
constexpr const char* kEnabledKey = "loop_enabled";
constexpr const char* kStrategyKey = "strategy";
constexpr const char* kAuditKey = "audit_fraction";
constexpr const char* kThresholdKey = "proposal_threshold";
constexpr const char* kModelKey = "model";
constexpr const char* kTrainKey = "train";

[[noreturn]] void refuse(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

bool is_known(const std::string& key) {
  const auto& known = known_settings_keys();
  return std::find(known.begin(), known.end(), key) != known.end();
}

// Reads the member `key` (not null) of a model object into `model`. Throws kInvalidArgument
// naming it, an unknown member included.
void read_model_member(ModelSettings& model, const std::string& key, const Json& value) {
  if (key == "arch") {
    model.arch = read_string(value, "model.arch", kMaxSettingText);
  } else if (key == "input_size") {
    const auto size = read_int(value, "model.input_size", kMinInputSize, kMaxInputSize);
    if (size % kMinInputSize != 0) refuse("'model.input_size' must be a multiple of 32");
    model.input_size = static_cast<int>(size);
  } else {
    refuse("model: unknown key '" + key + "' (known: arch, input_size)");
  }
}

void require_model_object(const Json& value) {
  if (!value.is_object()) refuse("'model' must be an object {arch, input_size}");
}

// Reads the known key `key` (its value not null) into `settings`, which is left as it was when
// the value is refused. Throws kInvalidArgument naming the key.
void read_known(ProjectSettings& settings, const std::string& key, const Json& value) {
  if (key == kLeaseKey) {
    settings.lease_seconds =
        static_cast<int>(read_int(value, kLeaseKey, kMinLeaseSeconds, kMaxLeaseSeconds));
  } else if (key == kEveryKey) {
    settings.trigger_every = static_cast<int>(read_int(value, kEveryKey, 1, kMaxTriggerEvery));
  } else if (key == kEnabledKey) {
    settings.loop_enabled = read_bool(value, kEnabledKey);
  } else if (key == kStrategyKey) {
    settings.strategy = read_string(value, kStrategyKey, kMaxSettingText);
  } else if (key == kAuditKey) {
    settings.audit_fraction = read_number(value, kAuditKey, 0, kMaxAuditFraction);
  } else if (key == kThresholdKey) {
    settings.proposal_threshold = read_number(value, kThresholdKey, 0, 1);
  } else if (key == kModelKey) {
    require_model_object(value);
    ModelSettings model;  // members left out take their defaults
    for (const auto& [member, v] : value.items()) {
      if (!v.is_null()) read_model_member(model, member, v);
    }
    settings.model = model;
  } else if (key == kTrainKey) {
    if (!value.is_object()) refuse("'train' must be an object of training options");
    settings.train = value;
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

// The model object of stored settings, member by member: a refused member takes its default and
// an unknown one is dropped, each with a problem.
ModelSettings read_stored_model(const Json& value, std::vector<std::string>& problems) {
  ModelSettings model;
  for (const auto& [member, v] : value.items()) {
    if (v.is_null()) continue;
    try {
      read_model_member(model, member, v);
    } catch (const Error& e) {
      const bool known = member == "arch" || member == "input_size";
      problems.push_back(std::string(e.what()) + (known ? "; the default is used" : "; dropped"));
    }
  }
  return model;
}

}  // namespace

const std::vector<std::string>& known_settings_keys() {
  static const std::vector<std::string> keys{kLeaseKey, kEveryKey,     kEnabledKey, kStrategyKey,
                                             kAuditKey, kThresholdKey, kModelKey,   kTrainKey};
  return keys;
}

ProjectSettings parse_settings(const Json& settings) {
  if (!settings.is_object()) refuse("settings must be a JSON object");
  ProjectSettings out;
  for (const auto& [key, value] : settings.items()) {
    if (value.is_null()) continue;  // the default, as a merge patch's null
    if (is_known(key)) {
      read_known(out, key, value);
    } else {
      out.unknown[key] = value;
    }
  }
  return out;
}

Json to_json(const ProjectSettings& s) {
  Json out = Json::object();
  if (s.unknown.is_object()) {
    for (const auto& [key, value] : s.unknown.items()) {
      if (!is_known(key)) out[key] = value;
    }
  }
  out[kLeaseKey] = s.lease_seconds;
  out[kEveryKey] = s.trigger_every;
  out[kEnabledKey] = s.loop_enabled;
  if (!s.strategy.empty()) out[kStrategyKey] = s.strategy;
  out[kAuditKey] = s.audit_fraction;
  out[kThresholdKey] = s.proposal_threshold ? Json(*s.proposal_threshold) : Json(nullptr);
  out[kModelKey] = Json{{"arch", s.model.arch}, {"input_size", s.model.input_size}};
  out[kTrainKey] = s.train;
  return out;
}

ProjectSettings patch_settings(const ProjectSettings& current, const Json& patch) {
  if (!patch.is_object()) refuse("the settings patch must be a JSON object");
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null() || is_known(key)) continue;
    std::string names;
    for (const std::string& k : known_settings_keys()) names += (names.empty() ? "" : ", ") + k;
    refuse("unknown setting '" + key + "' (known: " + names + ")");
  }
  Json merged = to_json(current);
  merged.merge_patch(patch);
  return parse_settings(merged);
}

StoredSettings read_stored_settings(const std::string& text) {
  StoredSettings out;
  std::set<std::string> too_deep;
  Json stored = parse_bounded(text, too_deep);
  if (stored.is_discarded() || !stored.is_object()) {
    out.problems.push_back("the stored settings are not a JSON object; every default is used");
    return out;
  }
  for (const std::string& key : too_deep) {
    stored.erase(key);
    out.problems.push_back("'" + key + "' nests deeper than " +
                           std::to_string(kMaxStoredSettingsDepth) + " levels; dropped");
  }
  ProjectSettings& settings = out.settings;
  for (const auto& [key, value] : stored.items()) {
    if (value.is_null()) continue;
    if (!is_known(key)) {
      settings.unknown[key] = value;
    } else if (key == kModelKey && value.is_object()) {
      settings.model = read_stored_model(value, out.problems);
    } else {
      try {
        read_known(settings, key, value);
      } catch (const Error& e) {
        out.problems.push_back(std::string(e.what()) + "; the default is used");
      }
    }
  }
  return out;
}

}  // namespace boxloop
