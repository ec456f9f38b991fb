#include "core/error.h"
#include "formats/formats.h"
#include "project/project_ops.h"
#include "server/route_context.h"

namespace boxloop::server {

void add_export_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/export",
             with_auth(ctx, Access::kAdmin,
                       [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                         if (!req.has_param("format")) {
                           throw Error(ErrorCode::kInvalidArgument,
                                       "name a format: ?format=coco|voc|yolo|csv");
                         }
                         const LabelFormat format =
                             label_format_from_string(req.get_param_value("format"));
                         ExportArchive archive = export_labels_archive(ctx.store, format);
                         res.set_header("Content-Disposition",
                                        "attachment; filename=\"" + archive.filename + "\"");
                         res.set_content(std::move(archive.bytes), archive.content_type);
                       }));
}

}  // namespace boxloop::server
