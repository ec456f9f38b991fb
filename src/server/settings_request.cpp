#include "server/settings_request.h"

#include <algorithm>

#include "active/strategy.h"
#include "core/error.h"
#include "core/json_read.h"
#include "server/job_request.h"
#include "server/request_json.h"
#include "store/settings.h"
#include "train/options/train_options.h"

namespace boxloop::server {

namespace {

[[noreturn]] void refuse(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

void check_strategy(const Json& value) {
  const std::string spec = read_string(value, "strategy", kMaxSettingText);
  if (spec.empty()) return;  // the default order
  with_context("'strategy'", [&] { return active::parse_strategy(spec); });
}

void check_model(const Json& value) {
  if (!value.is_object()) refuse("'model' must be an object {arch, input_size}");
  refuse_unknown_keys(value, {"arch", "input_size"}, "model");
  if (const Json* arch = optional_member(value, "arch")) {
    const std::string name = read_string(*arch, "model.arch", kMaxSettingText);
    const auto& known = known_architectures();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      refuse("'model.arch' must be fastestdet or retinanet, got \"" + name + "\"");
    }
  }
  // input_size: the store checks its range on the merged settings.
}

void check_train(Store& store, const Json& value) {
  if (!value.is_object()) refuse("'train' must be an object of training options");
  // A merge patch: the options that will be stored are the current ones with this patch applied.
  Json merged = store.settings().value("train", Json::object());
  if (!merged.is_object()) merged = Json::object();
  merged.merge_patch(value);
  client_train_options(store, merged, "train");
}

}  // namespace

void check_settings_patch(Store& store, const Json& patch) {
  if (!patch.is_object()) refuse("the settings patch must be a JSON object");
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) continue;  // removes the key
    if (key == "strategy") {
      check_strategy(value);
    } else if (key == "model") {
      check_model(value);
    } else if (key == "train") {
      check_train(store, value);
    } else {
      const auto& known = known_settings_keys();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string names;
        for (const std::string& k : known) names += (names.empty() ? "" : ", ") + k;
        refuse("unknown setting '" + key + "' (known: " + names + ")");
      }
      // lease_seconds, trigger_every, loop_enabled, audit_fraction, proposal_threshold:
      // store/settings.h.
    }
  }
}

}  // namespace boxloop::server
