// Strict reading of JSON request bodies: every wrong shape is kInvalidArgument with a message that
// names the field and what was expected, so the client (and its developer) can tell what to fix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"

namespace boxloop::server {

// The body parsed as a JSON object.
Json parse_json_object(const std::string& body);

// Required / optional members of `object`; `where` prefixes messages ("box 2: ...").
std::int64_t required_int(const Json& object, const char* key, const std::string& where = "");
double required_number(const Json& object, const char* key, const std::string& where = "");
std::optional<std::string> optional_string(const Json& object, const char* key,
                                           const std::string& where = "");
std::optional<double> optional_number(const Json& object, const char* key,
                                      const std::string& where = "");
// An id from a path or query ("12"): a positive integer, else kInvalidArgument naming `what`.
std::int64_t parse_id(const std::string& text, const char* what);

const Json& required_array(const Json& object, const char* key, const std::string& where = "");

}  // namespace boxloop::server
