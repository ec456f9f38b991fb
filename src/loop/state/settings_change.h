// Changes of the project settings above the store. The store checks types and ranges
// (store/settings.h) but links neither active/ nor train/; what needs them is checked here, by
// every change: PATCH /api/project/settings, PUT /api/loop, `boxloop loop`.
#pragma once

#include <functional>
#include <string>

#include "store/store.h"
#include "train/options/train_options.h"

namespace boxloop::loop {

// A strategy setting or score param: empty (the default order) or a spec active::parse_strategy
// accepts. Throws kInvalidArgument "'strategy': invalid strategy ...".
void check_strategy_setting(const std::string& spec);

// The settings' train object read over `defaults` (train_options_from_json): how a loop round
// reads it (round_options.h) and how every change of it is checked. Throws kInvalidArgument
// "train: 'epochs' must be ...".
TrainOptions read_train_settings(const ProjectSettings& settings, TrainOptions defaults = {});

// Throws kInvalidArgument naming the setting when a member that differs between `before` and
// `after` fails a check the store cannot make: the strategy (check_strategy_setting), model.arch
// (an architecture the detector registry knows) or train (read_train_settings). Members left as
// they were are not checked again: a value stored by an older version (read as the default where
// the loop uses it) must not block every later change.
void check_settings_change(const ProjectSettings& before, const ProjectSettings& after);

// A front end's own rules on top (the server's for its clients: server/settings_request.h).
using SettingsCheck =
    std::function<void(const ProjectSettings& before, const ProjectSettings& after)>;

// Applies `change` to the stored settings and writes the result when check_settings_change,
// `also` (when given) and the store's checks pass, in one store transaction; returns what was
// written. Nothing is written when a check throws.
ProjectSettings change_settings(Store& store, const std::function<void(ProjectSettings&)>& change,
                                const SettingsCheck& also = {});

}  // namespace boxloop::loop
