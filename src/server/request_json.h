// Parsing and reading JSON request bodies. Every JSON route parses its body here (through
// json_route, route_context.h) and reads it into a typed shape with the readers below and those
// of core/json_read.h: every wrong shape is kInvalidArgument (400) with a message that names the
// field and what was expected, so the client (and its developer) can tell what to fix.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "core/json.h"
#include "server/limits.h"

namespace boxloop::server {

// The body parsed as a JSON object. Refused (kInvalidArgument) while parsing, before a deeper
// value is built: nesting deeper than `max_depth`, a number out of the double range (1e400, which
// nlohmann-json reports as an overflow), a key given twice in one object, invalid UTF-8, and
// anything that is not JSON. The message names the field where the parser stopped.
Json parse_json_object(const std::string& body, int max_depth = limits::kMaxJsonDepth);

// The member `key` of `object`; absent and null are the same (nullptr).
const Json* optional_member(const Json& object, const char* key);
// Throws kInvalidArgument for a member of `object` not in `known` (a typo must not be ignored).
void refuse_unknown_keys(const Json& object, std::initializer_list<const char*> known,
                         const std::string& where = "");
// Runs `read` and prefixes the message of a kInvalidArgument it throws with `where` ("box 2").
template <typename Read>
auto with_context(const std::string& where, Read read) -> decltype(read());

// Required / optional members of `object`, range-checked (core/json_read.h); `where` prefixes
// messages ("box 2: ...").
std::int64_t required_int(const Json& object, const char* key, std::int64_t lo, std::int64_t hi,
                          const std::string& where = "");
double required_number(const Json& object, const char* key, double lo, double hi,
                       const std::string& where = "");
std::optional<double> optional_number(const Json& object, const char* key, double lo, double hi,
                                      const std::string& where = "");
std::optional<std::string> optional_string(const Json& object, const char* key,
                                           std::size_t max_bytes, const std::string& where = "");
const Json& required_array(const Json& object, const char* key, std::size_t max_items,
                           const std::string& where = "");

// An id from a path or query ("12"): a positive integer, else kInvalidArgument naming `what`.
std::int64_t parse_id(const std::string& text, const char* what);

// --- implementation -------------------------------------------------------------------------

[[noreturn]] void rethrow_with_context(const std::string& where);

template <typename Read>
auto with_context(const std::string& where, Read read) -> decltype(read()) {
  try {
    return read();
  } catch (...) {
    rethrow_with_context(where);
  }
}

}  // namespace boxloop::server
