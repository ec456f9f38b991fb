// PATCH /api/project/settings: a JSON merge patch of the project settings, checked key by key
// before the store merges it. The store checks the types and ranges of the merged result
// (store/settings.h); this adds what the store cannot know: that a key is known at all, that a
// strategy spec parses, that model.arch is an architecture, and the "train" object's options
// (train_options_from_json, with the rules for clients of job_request.h).
#pragma once

#include "core/json.h"
#include "store/store.h"

namespace boxloop::server {

// Throws kInvalidArgument naming the key. A null value removes a key (its default applies again);
// an unknown key is refused unless it is being removed, so that keys stored by an older version
// can be cleaned up.
void check_settings_patch(Store& store, const Json& patch);

}  // namespace boxloop::server
