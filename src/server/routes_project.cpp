#include "core/error.h"
#include "loop/state/effort.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/route_context.h"
#include "server/settings_request.h"

namespace boxloop::server {

void add_project_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/project",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         send_json(res, Json{{"name", ctx.store.name()},
                                             {"categories", ctx.store.categories()},
                                             {"settings", to_json(ctx.store.settings())},
                                             {"counts", counts_json(ctx.store)}});
                       }));

  server.Get("/api/stats",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         Json stats = counts_json(ctx.store);
                         stats["effort"] =
                             loop::to_json(loop::effort_tables(ctx.store.effort_events()));
                         send_json(res, stats);
                       }));

  server.Patch("/api/project/settings",
               json_route(ctx, Access::kAdmin,
                          [&ctx](const httplib::Request&, httplib::Response& res, const User&,
                                 const Json& patch) {
                            const ProjectSettings changed =
                                change_settings(ctx.store, [&](ProjectSettings& settings) {
                                  settings = patch_settings(settings, patch);
                                });
                            send_json(res, to_json(changed));
                          }));
}

}  // namespace boxloop::server
