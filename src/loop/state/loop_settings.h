// The loop's knobs as users see them (GET/PUT /api/loop, `boxloop loop`), kept in the project
// settings: loop_enabled, trigger_every and strategy (store/settings.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace boxloop::loop {

struct LoopSettings {
  bool enabled = true;
  int every = 20;        // a round starts after this many new label events
  std::string strategy;  // the query strategy spec scoring uses, never empty
};

// The loop's view of the settings. The strategy is resolved: the setting when it parses, else
// active::default_strategy_spec() (unset, or a spec stored before specs were checked or by an
// older version, said once per spec: the loop is read on every request).
LoopSettings loop_settings(const ProjectSettings& settings);
LoopSettings loop_settings(Store& store);

// A change of the loop's knobs: each one given is set.
struct LoopSettingsChange {
  std::optional<bool> enabled;
  std::optional<int> every;
  std::optional<std::string> strategy;
};

// PUT /api/loop's body {enabled?, every?, strategy?}. Throws kInvalidArgument naming the field for
// a wrong type, `every` out of [1, 1000000] or an unknown key. The strategy spec is checked when
// the change is made, with every change of the settings (settings_change.h).
LoopSettingsChange loop_settings_change_from_json(const Json& body);
void apply(const LoopSettingsChange& change, ProjectSettings& settings);

// Makes the change (change_settings, so a strategy active::parse_strategy rejects is refused
// naming the field and nothing is written) and returns the result.
LoopSettings update_loop_settings(Store& store, const LoopSettingsChange& change);
LoopSettings update_loop_settings(Store& store, const Json& body);

// Specs offered to users (the page's menu, the CLI's help): the usual ones and the default.
std::vector<std::string> suggested_strategies();

}  // namespace boxloop::loop
