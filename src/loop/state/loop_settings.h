// The loop's knobs as users see them (GET/PUT /api/loop, `boxloop loop`), kept in the project
// settings: "loop_enabled" (absent: on), "trigger_every" and "strategy".
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace boxloop::loop {

struct LoopSettings {
  bool enabled = true;
  int every = 20;        // a round starts after this many new label events
  std::string strategy;  // the query strategy spec scoring uses
};

LoopSettings loop_settings(Store& store);

// Applies {enabled?, every?, strategy?} and returns the result. Throws kInvalidArgument naming the
// field for a wrong type, every < 1, a strategy active::parse_strategy rejects, or an unknown key;
// nothing is written then.
LoopSettings update_loop_settings(Store& store, const Json& patch);

// Specs offered to users (the page's menu, the CLI's help): the usual ones and the default.
std::vector<std::string> suggested_strategies();

}  // namespace boxloop::loop
