#pragma once

#include <chrono>
#include <string>

namespace boxloop {

// Now as ISO 8601 UTC with milliseconds, e.g. "2026-11-25T10:03:04.123Z". Sorts as text.
std::string now_iso8601();

// A time in the same format, for comparing with stored timestamps as text.
std::string iso8601(std::chrono::system_clock::time_point time);

}  // namespace boxloop
