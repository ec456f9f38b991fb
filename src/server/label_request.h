// The bodies of PUT /api/images/{id}/labels and POST /api/images/{id}/skip turned into a LabelSave.
// Boxes partly outside the image are clipped to it; a box with less than a pixel left inside is
// refused, as are unknown categories, wrong types, out-of-range numbers, unknown keys, more than
// limits::kMaxBoxesPerImage boxes and a comment over limits::kMaxCommentBytes (all
// kInvalidArgument, naming the box and the field). Each box may say its origin ("drawn",
// "accepted", "adjusted"; default drawn), and both bodies may carry the page's effort figures,
// "effort": {"active_seconds": 0..limits::kMaxActiveSeconds, "rejected"?: 0..kMaxBoxesPerImage}.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace boxloop::server {

LabelSave parse_label_save(const Json& body, const Image& image,
                           const std::vector<Category>& categories, const std::string& labeler);

LabelSave parse_skip(const Json& body, const Image& image, const std::string& labeler);

}  // namespace boxloop::server
