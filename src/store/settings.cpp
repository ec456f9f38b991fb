#include "store/settings.h"

#include "core/error.h"

namespace boxloop {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& expected) {
  throw Error(ErrorCode::kInvalidArgument, "setting '" + key + "' must be " + expected);
}

// `prefix` names the parent object in the message ("model.").
void require_positive_integer(const Json& settings, const char* key,
                              const std::string& prefix = "") {
  if (!settings.contains(key)) return;
  const Json& value = settings.at(key);
  if (!value.is_number_integer() || value.get<long long>() < 1) {
    bad(prefix + key, "a positive integer");
  }
}

}  // namespace

Json default_settings() {
  // No "strategy": absent means active::default_strategy_spec(), the order chosen by simulation,
  // so a project that never picked one follows a better default when one is found.
  return Json{{"trigger_every", 20},
              {"lease_seconds", 300},
              {"model", {{"arch", "fastestdet"}, {"input_size", 352}}},
              {"train", Json::object()}};
}

void validate_settings(const Json& settings) {
  if (!settings.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "settings must be a JSON object");
  }
  if (settings.contains("strategy") && !settings.at("strategy").is_string()) {
    bad("strategy", "a string");
  }
  require_positive_integer(settings, "trigger_every");
  require_positive_integer(settings, "lease_seconds");
  for (const char* key : {"model", "train"}) {
    if (settings.contains(key) && !settings.at(key).is_object()) bad(key, "an object");
  }
  if (settings.contains("model")) {
    const Json& model = settings.at("model");
    if (model.contains("arch") && !model.at("arch").is_string()) bad("model.arch", "a string");
    require_positive_integer(model, "input_size", "model.");
  }
}

}  // namespace boxloop
