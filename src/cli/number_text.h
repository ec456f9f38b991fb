// How the commands print numbers: fixed decimals, optionally signed, so tables of figures line up.
#pragma once

#include <string>

namespace boxloop::cli {

// "0.512" (digits after the point), "+0.012" with sign.
std::string fixed(double value, int digits = 3, bool sign = false);

// "42 %" for 0.42.
std::string percent(double share);

}  // namespace boxloop::cli
