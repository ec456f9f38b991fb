#pragma once

#include <string>

namespace boxloop {

// Now as ISO 8601 UTC with milliseconds, e.g. "2026-11-25T10:03:04.123Z". Sorts as text.
std::string now_iso8601();

}  // namespace boxloop
