// Project settings: a JSON object whose defaults live here, so a project created by an older
// version still sees every key. The store keeps the merged result.
#pragma once

#include "core/json.h"

namespace boxloop {

// {"trigger_every":20,"lease_seconds":300,
//  "model":{"arch":"fastestdet","input_size":352},"train":{}}
Json default_settings();

// Throws kInvalidArgument, naming the key, when a known key has the wrong type or range.
void validate_settings(const Json& settings);

}  // namespace boxloop
