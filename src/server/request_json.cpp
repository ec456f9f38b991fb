#include "server/request_json.h"

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace boxloop::server {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, where.empty() ? message : where + ": " + message);
}

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

Json parse_json_object(const std::string& body) {
  if (body.empty()) fail("", "the request body must be a JSON object, got an empty body");
  Json json;
  try {
    json = Json::parse(body);
  } catch (const Json::parse_error& e) {
    fail("", std::string("the request body is not valid JSON: ") + e.what());
  }
  if (!json.is_object())
    fail("", "the request body must be a JSON object, got " + std::string(json.type_name()));
  return json;
}

std::int64_t required_int(const Json& object, const char* key, const std::string& where) {
  const Json* value = member(object, key);
  if (!value) fail(where, std::string("'") + key + "' is missing");
  if (!value->is_number_integer()) {
    fail(where, std::string("'") + key + "' must be an integer, got " + value->type_name());
  }
  return value->get<std::int64_t>();
}

double required_number(const Json& object, const char* key, const std::string& where) {
  const Json* value = member(object, key);
  if (!value) fail(where, std::string("'") + key + "' is missing");
  if (!value->is_number()) {
    fail(where, std::string("'") + key + "' must be a number, got " + value->type_name());
  }
  const double number = value->get<double>();
  if (!std::isfinite(number)) fail(where, std::string("'") + key + "' must be finite");
  return number;
}

std::optional<std::string> optional_string(const Json& object, const char* key,
                                           const std::string& where) {
  const Json* value = member(object, key);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    fail(where, std::string("'") + key + "' must be a string, got " + value->type_name());
  }
  return value->get<std::string>();
}

std::optional<double> optional_number(const Json& object, const char* key,
                                      const std::string& where) {
  if (!member(object, key)) return std::nullopt;
  return required_number(object, key, where);
}

std::int64_t parse_id(const std::string& text, const char* what) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string(what) + " must be a positive integer id, got '" + text + "'");
  }
  return id;
}

const Json& required_array(const Json& object, const char* key, const std::string& where) {
  const Json* value = member(object, key);
  if (!value) fail(where, std::string("'") + key + "' is missing");
  if (!value->is_array()) {
    fail(where, std::string("'") + key + "' must be an array, got " + value->type_name());
  }
  return *value;
}

}  // namespace boxloop::server
