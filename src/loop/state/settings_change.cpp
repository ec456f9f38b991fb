#include "loop/state/settings_change.h"

#include <algorithm>

#include "active/strategy.h"
#include "core/error.h"

namespace boxloop::loop {

namespace {

// Runs `check`, prefixing the message of a kInvalidArgument it throws with `where`.
template <typename Check>
auto in_context(const std::string& where, Check check) -> decltype(check()) {
  try {
    return check();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kInvalidArgument) throw;
    throw Error{ErrorCode::kInvalidArgument, where + ": " + e.what()};
  }
}

void check_arch(const std::string& arch) {
  const auto& known = known_architectures();
  if (std::find(known.begin(), known.end(), arch) != known.end()) return;
  std::string names;
  for (const std::string& name : known) names += (names.empty() ? "" : " or ") + name;
  throw Error{ErrorCode::kInvalidArgument,
              "'model.arch' must be " + names + ", got \"" + arch + "\""};
}

}  // namespace

void check_strategy_setting(const std::string& spec) {
  if (spec.empty()) return;  // the default order
  in_context("'strategy'", [&] { return active::parse_strategy(spec); });
}

TrainOptions read_train_settings(const ProjectSettings& settings, TrainOptions defaults) {
  return in_context("train", [&] { return train_options_from_json(settings.train, defaults); });
}

void check_settings_change(const ProjectSettings& before, const ProjectSettings& after) {
  if (after.strategy != before.strategy) check_strategy_setting(after.strategy);
  if (after.model.arch != before.model.arch) check_arch(after.model.arch);
  if (after.train != before.train) read_train_settings(after);
}

ProjectSettings change_settings(Store& store, const std::function<void(ProjectSettings&)>& change,
                                const SettingsCheck& also) {
  return store.change_settings([&](ProjectSettings& settings) {
    const ProjectSettings before = settings;
    change(settings);
    check_settings_change(before, settings);
    if (also) also(before, settings);
  });
}

}  // namespace boxloop::loop
