// Typed, range-checked reading of JSON values that come from outside (request bodies, job params,
// project settings): every wrong type or out-of-range value is kInvalidArgument with a message
// that names the field and the accepted range, and no number is narrowed silently (a 64-bit value
// is checked against the range before it becomes an int).
#pragma once

#include <cstdint>
#include <string>

#include "core/json.h"

namespace boxloop {

// An integer in [lo, hi]. A JSON float is refused even when whole ("3.0"): a client that sends
// one has a bug worth seeing.
std::int64_t read_int(const Json& value, const std::string& field, std::int64_t lo,
                      std::int64_t hi);
// A non-negative integer that may use the full unsigned 64-bit range (seeds).
std::uint64_t read_uint64(const Json& value, const std::string& field);
// A finite number in [lo, hi] (integers accepted).
double read_number(const Json& value, const std::string& field, double lo, double hi);
bool read_bool(const Json& value, const std::string& field);
// A string of at most max_bytes bytes (UTF-8 as sent).
std::string read_string(const Json& value, const std::string& field, std::size_t max_bytes);

}  // namespace boxloop
