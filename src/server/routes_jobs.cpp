#include "core/error.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/request_json.h"
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

  server.Post("/api/jobs",
              with_auth(ctx, Access::kAdmin,
                        [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                          const Json body = parse_json_object(req.body);
                          const auto kind = optional_string(body, "kind");
                          if (!kind || (*kind != "train" && *kind != "score")) {
                            throw Error(ErrorCode::kInvalidArgument,
                                        "'kind' must be \"train\" or \"score\"");
                          }
                          Json params = Json::object();
                          if (auto it = body.find("params"); it != body.end() && !it->is_null()) {
                            if (!it->is_object()) {
                              throw Error(ErrorCode::kInvalidArgument,
                                          "'params' must be an object");
                            }
                            params = *it;
                          }
                          // The job watcher announces it to open pages.
                          send_json(res, job_json(ctx.store.create_job(*kind, params)), 201);
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
