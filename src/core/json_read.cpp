#include "core/json_read.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace boxloop {

namespace {

[[noreturn]] void refuse(const std::string& field, const std::string& message) {
  throw Error{ErrorCode::kInvalidArgument, "'" + field + "' " + message};
}

std::string range_text(double lo, double hi) {
  // %g, not std::to_string: a bound like 1e-9 must not read as 0.
  const auto text = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return std::string(buffer);
  };
  return "[" + text(lo) + ", " + text(hi) + "]";
}

}  // namespace

std::int64_t read_int(const Json& value, const std::string& field, std::int64_t lo,
                      std::int64_t hi) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi)) {
      refuse(field, "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        "], got " + std::to_string(u));
    }
    return read_int(Json(static_cast<std::int64_t>(u)), field, lo, hi);
  }
  if (!value.is_number_integer()) {
    refuse(field, std::string("must be an integer, got ") +
                      (value.is_number_float() ? "a number with a fraction or exponent"
                                               : value.type_name()));
  }
  const auto v = value.get<std::int64_t>();
  if (v < lo || v > hi) {
    refuse(field, "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                      "], got " + std::to_string(v));
  }
  return v;
}

std::uint64_t read_uint64(const Json& value, const std::string& field) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  refuse(field, "must be a non-negative integer");
}

double read_number(const Json& value, const std::string& field, double lo, double hi) {
  if (!value.is_number()) refuse(field, std::string("must be a number, got ") + value.type_name());
  const double v = value.get<double>();
  if (!std::isfinite(v) || v < lo || v > hi) {
    refuse(field, "must be a number in " + range_text(lo, hi));
  }
  return v;
}

bool read_bool(const Json& value, const std::string& field) {
  if (!value.is_boolean())
    refuse(field, std::string("must be true or false, got ") + value.type_name());
  return value.get<bool>();
}

std::string read_string(const Json& value, const std::string& field, std::size_t max_bytes) {
  if (!value.is_string()) refuse(field, std::string("must be a string, got ") + value.type_name());
  const auto& s = value.get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    refuse(field, "is too long (" + std::to_string(s.size()) + " bytes; at most " +
                      std::to_string(max_bytes) + ")");
  }
  return s;
}

}  // namespace boxloop
