#include <spdlog/spdlog.h>

#include "core/error.h"
#include "project/project_ops.h"
#include "server/content_type.h"
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
  server.Post("/api/images",
              upload_route(ctx, Access::kAdmin,
                           [&ctx](const httplib::Request&, httplib::Response& res,
                                  const User& caller, std::vector<UploadedFile> files) {
                             Json results = Json::array();
                             int accepted = 0;
                             std::string first_refusal;
                             for (const UploadedFile& file : files) {
                               if (file.filename.empty())
                                 continue;  // a plain form field, not a file
                               // Stored under the extension of what the bytes are
                               // (import_image_bytes): a JPEG named poly.html is kept, and served,
                               // as poly.jpg.
                               ImportFileResult result =
                                   import_image_bytes(ctx.store, file.filename, file.content);
                               result.source = file.filename;
                               spdlog::info("upload by {}: {} {} {}", caller.name, file.filename,
                                            to_string(result.action), result.message);
                               if (result.action == ImportAction::kRejected) {
                                 if (first_refusal.empty())
                                   first_refusal = file.filename + ": " + result.message;
                               } else {
                                 ++accepted;
                               }
                               results.push_back(import_result_json(result));
                             }
                             if (results.empty()) {
                               throw Error(
                                   ErrorCode::kInvalidArgument,
                                   "the upload holds no file parts (multipart/form-data, one or "
                                   "more parts named 'file')");
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
