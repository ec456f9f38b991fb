#include "core/error.h"
#include "server/auth.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/request_json.h"
#include "server/route_context.h"

namespace boxloop::server {

void add_auth_routes(httplib::Server& server, RouteContext& ctx) {
  server.Post("/api/login", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const Json body = parse_json_object(req.body);
    const auto name = optional_string(body, "name");
    const auto password = optional_string(body, "password");
    if (!name || !password) {
      throw Error(ErrorCode::kInvalidArgument, "log in with {\"name\": ..., \"password\": ...}");
    }
    const auto token = ctx.store.login(*name, *password);
    if (!token) throw Error(ErrorCode::kUnauthenticated, "wrong name or password");
    const auto user = ctx.store.user_for_token(*token);
    if (!user) throw Error(ErrorCode::kInternal, "a fresh session token was not accepted");
    send_json(res, Json{{"token", *token}, {"user", user_json(*user)}});
  });

  server.Post("/api/logout",
              with_auth(ctx, Access::kUser,
                        [&ctx](const httplib::Request& req, httplib::Response& res, const User&) {
                          if (auto token = request_token(req, false)) {
                            ctx.store.logout(*token);
                          }
                          send_json(res, Json::object());
                        }));

  server.Get("/api/me", with_auth(ctx, Access::kUser,
                                  [](const httplib::Request&, httplib::Response& res,
                                     const User& caller) { send_json(res, user_json(caller)); }));
}

}  // namespace boxloop::server
