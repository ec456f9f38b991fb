#include "server/job_request.h"

#include <charconv>
#include <cstdint>

#include "core/error.h"
#include "server/request_json.h"

namespace boxloop::server {

namespace {

// "3" -> 3; nullopt for anything but a positive decimal id.
std::optional<Id> as_model_id(const std::string& text) {
  Id id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// `value` must be one of `names` or the id of a model of the project; never a path.
void check_model_reference(Store& store, const std::string& value, const std::string& field,
                           std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (value == name) return;
  }
  if (const auto id = as_model_id(value)) {
    if (store.model(*id)) return;
    throw Error(ErrorCode::kInvalidArgument,
                "'" + field + "': this project has no model " + std::to_string(*id));
  }
  std::string allowed;
  for (const char* name : names) allowed += std::string("\"") + name + "\", ";
  throw Error(ErrorCode::kInvalidArgument, "'" + field + "' must be " + allowed +
                                               "or the id of one of this project's models, got \"" +
                                               value.substr(0, 100) + "\"");
}

}  // namespace

void check_client_train_options(Store& store, const TrainOptions& options,
                                const std::string& where) {
  with_context(where, [&] {
    if (!options.pretrained.empty()) {
      throw Error(
          ErrorCode::kInvalidArgument,
          "'pretrained' names a weights file on the server and cannot be set over HTTP "
          "(import weights with `boxloop model import`, then use \"from\": \"pretrained\")");
    }
    check_model_reference(store, options.from, "from", {"pretrained", "scratch", "last"});
  });
}

TrainOptions client_train_options(Store& store, const Json& params, const std::string& where) {
  TrainOptions options = with_context(where, [&] { return train_options_from_json(params); });
  check_client_train_options(store, options, where);
  return options;
}

loop::ScoreOptions client_score_options(Store& store, const Json& params) {
  loop::ScoreOptions options = loop::score_options_from_json(params);
  check_model_reference(store, options.model, "model", {"last"});
  return options;
}

JobRequest parse_job_request(Store& store, const Json& body) {
  refuse_unknown_keys(body, {"kind", "params"});
  JobRequest request;
  const std::string kind = optional_string(body, "kind", 16).value_or("");
  if (kind != to_string(JobKind::kTrain) && kind != to_string(JobKind::kScore)) {
    throw Error(ErrorCode::kInvalidArgument, "'kind' must be \"train\" or \"score\"");
  }
  request.kind = job_kind_from_string(kind);
  request.params = Json::object();
  if (const Json* params = optional_member(body, "params")) {
    if (!params->is_object()) {
      throw Error(ErrorCode::kInvalidArgument,
                  std::string("'params' must be an object, got ") + params->type_name());
    }
    request.params = *params;
  }
  if (request.kind == JobKind::kTrain) {
    client_train_options(store, request.params, "params");
  } else {
    with_context("params", [&] { return client_score_options(store, request.params); });
  }
  return request;
}

}  // namespace boxloop::server
