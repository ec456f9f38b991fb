#include "core/error.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/request_json.h"
#include "server/route_context.h"

namespace boxloop::server {

void add_project_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/project",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         send_json(res, Json{{"name", ctx.store.name()},
                                             {"categories", ctx.store.categories()},
                                             {"settings", ctx.store.settings()},
                                             {"counts", counts_json(ctx.store)}});
                       }));

  server.Get("/api/stats",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         send_json(res, counts_json(ctx.store));
                       }));

  server.Patch("/api/project/settings",
               with_auth(ctx, Access::kAdmin,
                         [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                           send_json(res, ctx.store.update_settings(parse_json_object(req.body)));
                         }));
}

}  // namespace boxloop::server
