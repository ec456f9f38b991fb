#include "server/request_json.h"

#include <charconv>
#include <cmath>
#include <exception>
#include <vector>

#include "core/error.h"
#include "core/json_read.h"

namespace boxloop::server {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, where.empty() ? message : where + ": " + message);
}

// Builds the document like nlohmann-json's own DOM parser, with the checks of parse_json_object.
// The parser itself is iterative; this builder keeps the nesting bounded, so nothing later (a
// merge patch, a dump, a destructor) recurses deeper than max_depth.
class BoundedDomBuilder {
 public:
  BoundedDomBuilder(Json& root, int max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool value) { return add(Json(value)); }
  bool number_integer(Json::number_integer_t value) { return add(Json(value)); }
  bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)); }
  bool number_float(Json::number_float_t value, const std::string& text) {
    // The parser already reports an overflow as an error; this keeps the promise if it stops.
    if (!std::isfinite(value)) refuse("the number " + text + " is out of range");
    return add(Json(value));
  }
  bool string(std::string& value) { return add(Json(std::move(value))); }
  bool binary(Json::binary_t&) { refuse("binary values are not JSON"); }
  bool start_object(std::size_t) { return open(Json::object()); }
  bool key(std::string& key) {
    Level& level = stack_.back();
    if (level.value->contains(key)) refuse("the key '" + key + "' appears twice");
    level.key = std::move(key);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const Json::exception& e) {
    // nlohmann's message starts with "[json.exception.parse_error.101] "; the rest is the reason.
    std::string reason = e.what();
    if (const auto bracket = reason.find("] "); reason.starts_with("[") && bracket != reason.npos) {
      reason.erase(0, bracket + 2);
    }
    refuse("the request body is not valid JSON at byte " + std::to_string(position) + ": " +
           reason);
  }

 private:
  struct Level {
    Json* value;
    std::string key;  // objects: the key of the member being read
  };

  // Where the parser is, as a field name: "params.epochs", "boxes[3].x".
  std::string path() const {
    std::string out;
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      const Level& level = stack_[i];
      const bool innermost = i + 1 == stack_.size();
      if (level.value->is_object()) {
        if (level.key.empty()) break;
        out += (out.empty() ? "" : ".") + level.key;
      } else {
        // An open child is the last element; otherwise the parser is at the next one.
        const std::size_t size = level.value->size();
        out += "[" + std::to_string(innermost ? size : size - 1) + "]";
      }
    }
    return out;
  }

  [[noreturn]] void refuse(const std::string& message) const {
    const std::string field = path();
    throw Error(ErrorCode::kInvalidArgument,
                field.empty() ? message : message + " (at '" + field + "')");
  }

  // Places a value in the open container (or as the root) and returns where it now lives.
  Json* place(Json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Level& level = stack_.back();
    if (level.value->is_array()) {
      level.value->push_back(std::move(value));
      return &level.value->back();
    }
    const bool container = value.is_structured();
    Json& slot = (*level.value)[level.key];
    slot = std::move(value);
    // An open container keeps its key for path(); after a scalar the parser is between members.
    if (!container) level.key.clear();
    return &slot;
  }

  bool add(Json&& value) {
    place(std::move(value));
    return true;
  }

  bool open(Json&& container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      refuse("the request body nests deeper than " + std::to_string(max_depth_) + " levels");
    }
    // A pointer into the parent stays valid while this container is open: the parent only grows
    // again after it is closed (nlohmann-json's DOM parser relies on the same).
    Json* placed = place(std::move(container));
    stack_.push_back(Level{placed, ""});
    return true;
  }

  bool close() {
    stack_.pop_back();
    if (!stack_.empty()) stack_.back().key.clear();
    return true;
  }

  Json& root_;
  int max_depth_;
  std::vector<Level> stack_;
};

}  // namespace

Json parse_json_object(const std::string& body, int max_depth) {
  if (body.empty()) fail("", "the request body must be a JSON object, got an empty body");
  Json json;
  BoundedDomBuilder builder(json, max_depth);
  try {
    Json::sax_parse(body, &builder);
  } catch (const Json::exception& e) {
    // Not expected (errors go through parse_error), but whatever the parser throws is the body's
    // fault, never the server's.
    fail("", std::string("the request body is not valid JSON: ") + e.what());
  }
  if (!json.is_object()) {
    fail("", "the request body must be a JSON object, got " + std::string(json.type_name()));
  }
  return json;
}

void rethrow_with_context(const std::string& where) {
  try {
    throw;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kInvalidArgument || where.empty()) throw;
    throw Error(ErrorCode::kInvalidArgument, where + ": " + e.what());
  }
}

const Json* optional_member(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

void refuse_unknown_keys(const Json& object, std::initializer_list<const char*> known,
                         const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (found) continue;
    if (known.size() == 0) fail(where, "unknown key '" + key + "': this route takes no parameters");
    std::string names;
    for (const char* k : known) names += (names.empty() ? "" : ", ") + std::string(k);
    fail(where, "unknown key '" + key + "' (known: " + names + ")");
  }
}

namespace {

const Json& required_member(const Json& object, const char* key, const std::string& where) {
  const Json* value = optional_member(object, key);
  if (!value) fail(where, std::string("'") + key + "' is missing");
  return *value;
}

}  // namespace

std::int64_t required_int(const Json& object, const char* key, std::int64_t lo, std::int64_t hi,
                          const std::string& where) {
  const Json& value = required_member(object, key, where);
  return with_context(where, [&] { return read_int(value, key, lo, hi); });
}

double required_number(const Json& object, const char* key, double lo, double hi,
                       const std::string& where) {
  const Json& value = required_member(object, key, where);
  return with_context(where, [&] { return read_number(value, key, lo, hi); });
}

std::optional<double> optional_number(const Json& object, const char* key, double lo, double hi,
                                      const std::string& where) {
  if (!optional_member(object, key)) return std::nullopt;
  return required_number(object, key, lo, hi, where);
}

std::optional<std::string> optional_string(const Json& object, const char* key,
                                           std::size_t max_bytes, const std::string& where) {
  const Json* value = optional_member(object, key);
  if (!value) return std::nullopt;
  return with_context(where, [&] { return read_string(*value, key, max_bytes); });
}

const Json& required_array(const Json& object, const char* key, std::size_t max_items,
                           const std::string& where) {
  const Json& value = required_member(object, key, where);
  if (!value.is_array()) {
    fail(where, std::string("'") + key + "' must be an array, got " + value.type_name());
  }
  if (value.size() > max_items) {
    fail(where, std::string("'") + key + "' has " + std::to_string(value.size()) +
                    " items; at most " + std::to_string(max_items) + " are accepted");
  }
  return value;
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

}  // namespace boxloop::server
