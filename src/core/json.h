// nlohmann-json mappings of the core types, used by the store (settings, metrics), the server and
// file formats.
#pragma once

#include <nlohmann/json.hpp>

#include "core/types.h"

namespace boxloop {

using Json = nlohmann::json;

void to_json(Json& j, const Box& box);
void from_json(const Json& j, Box& box);
void to_json(Json& j, const Category& category);
void to_json(Json& j, const Image& image);
void to_json(Json& j, const Annotation& annotation);
// Flat, as the page reads it: {category_id, x, y, w, h, score}.
void to_json(Json& j, const Proposal& proposal);
// {active_seconds (null: not measured), drawn, accepted, adjusted, rejected}
void to_json(Json& j, const Effort& effort);
void to_json(Json& j, const Detection& detection);
void from_json(const Json& j, Detection& detection);
void to_json(Json& j, const NamedBox& box);

}  // namespace boxloop
