// Where a development checkout finds the pretrained weights of ../shared (beside the checkout),
// searched after a project's own models/pretrained folder and $BOXLOOP_PRETRAINED.
#pragma once

#include <filesystem>
#include <vector>

namespace boxloop::cli {

// Candidates for the COCO FastestDet weights, found from the binary (build/src/cli/boxloop) and
// from the working directory; none of them needs to exist.
std::vector<std::filesystem::path> shared_pretrained_fallbacks();

}  // namespace boxloop::cli
