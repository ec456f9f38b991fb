// Where a model comes from: a project's model by id or "last", a checkpoint file, or pretrained
// weights found along a search path.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace boxloop {

// The checkpoint file a user means by `ref`: a model id of the project ("3"), "last" / "latest"
// (the newest model), or a path to a checkpoint file. Throws kNotFound with what exists.
std::filesystem::path resolve_model_path(Store* store, const std::string& ref);
// The project's model record named by `ref` (an id or "last"), if `ref` names one.
std::optional<ModelRecord> resolve_model_record(Store& store, const std::string& ref);

// Pretrained weights for `arch`, first found of: `explicit_file` (must exist when given),
// <project>/models/pretrained/<arch>.pth, $BOXLOOP_PRETRAINED, then `fallbacks`. Throws kNotFound
// saying how to get weights (download, import, --pretrained, or --from scratch).
std::filesystem::path find_pretrained(const std::filesystem::path& project_dir,
                                      const std::string& arch,
                                      const std::filesystem::path& explicit_file,
                                      const std::vector<std::filesystem::path>& fallbacks);

// The project's pretrained folder, <project>/models/pretrained.
std::filesystem::path pretrained_dir(const std::filesystem::path& project_dir);

}  // namespace boxloop
