#include "core/error.h"
#include "server/http_errors.h"
#include "server/job_request.h"
#include "server/json_shapes.h"
#include "server/route_context.h"

namespace boxloop::server {

void add_job_routes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/jobs",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         Json jobs = Json::array();
                         for (const Job& job : ctx.store.jobs()) {
                           jobs.push_back(job_json(job));
                         }
                         send_json(res, jobs);
                       }));

  server.Post(
      "/api/jobs",
      json_route(
          ctx, Access::kAdmin,
          [&ctx](const httplib::Request&, httplib::Response& res, const User&, const Json& body) {
            const JobRequest job = parse_job_request(ctx.store, body);
            // The job watcher announces it to open pages.
            send_json(res, job_json(ctx.store.create_job(job.kind, job.params)), 201);
          }));

  server.Get("/api/models",
             with_auth(ctx, Access::kUser,
                       [&ctx](const httplib::Request&, httplib::Response& res, const User&) {
                         Json models = Json::array();
                         for (const ModelRecord& model : ctx.store.models()) {
                           models.push_back(model_json(model));
                         }
                         send_json(res, models);
                       }));
}

}  // namespace boxloop::server
