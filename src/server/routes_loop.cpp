// The loop's routes: the query queue with its halting report, and the loop's settings and rounds.
#include "core/error.h"
#include "loop/state/curve.h"
#include "loop/state/rounds.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/loop_json.h"
#include "server/request_json.h"
#include "server/route_context.h"
#include "server/settings_request.h"

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

  // The same change of the settings as PATCH /api/project/settings, with the loop's names.
  server.Put(
      "/api/loop",
      json_route(
          ctx, Access::kAdmin,
          [&ctx](const httplib::Request&, httplib::Response& res, const User&, const Json& body) {
            const loop::LoopSettingsChange change = loop::loop_settings_change_from_json(body);
            change_settings(ctx.store,
                            [&](ProjectSettings& settings) { loop::apply(change, settings); });
            send_json(res, loop_status_json(loop::loop_status(ctx.store)));
          }));

  server.Post("/api/loop/run", json_route(
                                   ctx, Access::kAdmin,
                                   [&ctx](const httplib::Request&, httplib::Response& res,
                                          const User&, const Json& body) {
                                     refuse_unknown_keys(body, {});
                                     // kConflict (409) when a round is already queued or running.
                                     const Job job = loop::start_round(ctx.store);
                                     send_json(res, Json{{"job", job_json(job)}}, 202);
                                   },
                                   EmptyBody::kIsEmptyObject));

  // The audit curve and the stop signal (loop/state/curve.h).
  server.Get("/api/loop/curve",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         const auto curve = loop::learning_curve(ctx.store);
                         send_json(res, loop::curve_json(loop::audit_summary(ctx.store), curve,
                                                         loop::stop_signal(curve)));
                       }));
}

}  // namespace boxloop::server
