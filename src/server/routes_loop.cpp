// The loop's routes: the query queue with its halting report, and the loop's settings and rounds.
#include "core/error.h"
#include "loop/state/rounds.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/loop_json.h"
#include "server/request_json.h"
#include "server/route_context.h"

namespace boxloop::server {

void add_loop_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/queue",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         send_json(res, ctx.queue_cache.get(ctx.store)->to_json());
                       }));

  server.Get("/api/loop",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         send_json(res, loop_status_json(loop::loop_status(ctx.store)));
                       }));

  server.Put("/api/loop",
             with_auth(ctx, Access::kAdmin,
                       [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                         loop::update_loop_settings(ctx.store, parse_json_object(req.body));
                         send_json(res, loop_status_json(loop::loop_status(ctx.store)));
                       }));

  server.Post("/api/loop/run",
              with_auth(ctx, Access::kAdmin,
                        [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                          // kConflict (409) when a round is already queued or running.
                          const Job job = loop::start_round(ctx.store);
                          send_json(res, Json{{"job", job_json(job)}}, 202);
                        }));
}

}  // namespace boxloop::server
