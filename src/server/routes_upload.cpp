#include <spdlog/spdlog.h>

#include "core/error.h"
#include "project/project_ops.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/route_context.h"

namespace boxloop::server {

namespace {

Json import_result_json(const ImportFileResult& result) {
  return Json{{"file", result.source},
              {"action", to_string(result.action)},
              {"message", result.message},
              {"image", result.image ? Json(*result.image) : Json()}};
}

}  // namespace

void add_upload_routes(httplib::Server& server, RouteContext& ctx) {
  server.Post(
      "/api/images",
      with_auth(ctx, Access::kAdmin,
                [&ctx](const httplib::Request& req, httplib::Response& res, const User& caller) {
                  if (!req.is_multipart_form_data() || req.files.empty()) {
                    throw Error(
                        ErrorCode::kInvalidArgument,
                        "upload images as multipart/form-data, one or more parts named 'file'");
                  }
                  Json results = Json::array();
                  int accepted = 0;
                  std::string first_refusal;
                  for (const auto& [name, part] : req.files) {
                    if (part.filename.empty()) continue;  // a plain form field, not a file
                    const ImportFileResult result =
                        import_image_bytes(ctx.store, part.filename, part.content);
                    spdlog::info("upload by {}: {} {} {}", caller.name, part.filename,
                                 to_string(result.action), result.message);
                    if (result.action == ImportAction::kRejected) {
                      if (first_refusal.empty())
                        first_refusal = part.filename + ": " + result.message;
                    } else {
                      ++accepted;
                    }
                    results.push_back(import_result_json(result));
                  }
                  if (results.empty()) {
                    throw Error(ErrorCode::kInvalidArgument, "the upload holds no file parts");
                  }
                  if (accepted == 0) {
                    // Nothing usable came in: a 400 so the page shows the reason.
                    Json body = error_json(ErrorCode::kInvalidArgument, first_refusal);
                    body["results"] = results;
                    send_json(res, body, 400);
                    return;
                  }
                  send_json(res, Json{{"results", results}});
                  ctx.labels_changed();
                }));
}

}  // namespace boxloop::server
