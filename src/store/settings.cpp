#include "store/settings.h"

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

void validate_settings(const Json& settings) {
  if (!settings.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "settings must be a JSON object");
  }
  if (const Json* v = member(settings, "lease_seconds")) {
    read_int(*v, "lease_seconds", kMinLeaseSeconds, kMaxLeaseSeconds);
  }
  if (const Json* v = member(settings, "trigger_every")) {
    read_int(*v, "trigger_every", 1, kMaxTriggerEvery);
  }
  if (const Json* v = member(settings, "loop_enabled")) read_bool(*v, "loop_enabled");
  if (const Json* v = member(settings, "strategy")) read_string(*v, "strategy", kMaxSettingText);
  if (const Json* v = member(settings, "audit_fraction")) {
    read_number(*v, "audit_fraction", 0, kMaxAuditFraction);
  }
  if (const Json* v = member(settings, kThresholdKey); v && !v->is_null()) {
    read_number(*v, kThresholdKey, 0, 1);
  }
  if (const Json* model = member(settings, kModelKey)) {
    if (!model->is_object()) {
      throw Error(ErrorCode::kInvalidArgument, "'model' must be an object {arch, input_size}");
    }
    if (const Json* v = member(*model, "arch")) read_string(*v, "model.arch", kMaxSettingText);
    if (const Json* v = member(*model, "input_size")) {
      if (read_int(*v, "model.input_size", kMinInputSize, kMaxInputSize) % kMinInputSize != 0) {
        throw Error(ErrorCode::kInvalidArgument, "'model.input_size' must be a multiple of 32");
      }
    }
  }
  if (const Json* train = member(settings, kTrainKey); train && !train->is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "'train' must be an object of training options");
  }
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
