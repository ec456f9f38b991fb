#include "cli/number_text.h"

#include <cstdio>

namespace boxloop::cli {

std::string fixed(double value, int digits, bool sign) {
  char text[48];
  std::snprintf(text, sizeof text, sign ? "%+.*f" : "%.*f", digits, value);
  return text;
}

std::string percent(double share) { return fixed(100 * share, 0) + " %"; }

}  // namespace boxloop::cli
