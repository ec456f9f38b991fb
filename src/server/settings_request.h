// How the settings routes change the project settings (PATCH /api/project/settings with a JSON
// merge patch, PUT /api/loop with the loop's knobs): both through change_settings, so the same
// checks apply whichever route is used.
#pragma once

#include <functional>

#include "store/store.h"

namespace boxloop::server {

// loop::change_settings (the store's types and ranges; the strategy spec, model.arch and the
// train object's options, loop/state/settings_change.h) with a client's rules for a changed
// train object on top (check_client_train_options: no weights file on the server, `from` a model
// reference). Throws kInvalidArgument naming the setting; nothing is written then.
ProjectSettings change_settings(Store& store, const std::function<void(ProjectSettings&)>& change);

}  // namespace boxloop::server
