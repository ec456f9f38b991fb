#include "core/time.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace boxloop {

std::string now_iso8601() { return iso8601(std::chrono::system_clock::now()); }

std::string iso8601(std::chrono::system_clock::time_point now) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];  // room for any int the compiler cannot rule out (-Wformat-truncation)
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms.count()));
  return text;
}

}  // namespace boxloop
