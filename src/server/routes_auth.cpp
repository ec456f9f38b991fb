#include "core/error.h"
#include "server/auth.h"
#include "server/http_errors.h"
#include "server/json_shapes.h"
#include "server/request_json.h"
#include "server/route_context.h"

namespace boxloop::server {

namespace {

struct Login {
  std::string name;
  std::string password;
};

Login read_login(const Json& body) {
  refuse_unknown_keys(body, {"name", "password"});
  auto name = optional_string(body, "name", limits::kMaxUserNameBytes);
  auto password = optional_string(body, "password", limits::kMaxPasswordBytes);
  if (!name || !password) {
    throw Error(ErrorCode::kInvalidArgument, "log in with {\"name\": ..., \"password\": ...}");
  }
  return Login{std::move(*name), std::move(*password)};
}

}  // namespace

void add_auth_routes(httplib::Server& server, RouteContext& ctx) {
  server.Post(
      "/api/login",
      json_route(
          ctx, Access::kAnyone,
          [&ctx](const httplib::Request&, httplib::Response& res, const User&, const Json& body) {
            const Login login = read_login(body);
            const auto token = ctx.store.login(login.name, login.password);
            if (!token) {
              throw Error(ErrorCode::kUnauthenticated, "wrong name or password");
            }
            const auto user = ctx.store.user_for_token(*token);
            if (!user) {
              throw Error(ErrorCode::kInternal, "a fresh session token was not accepted");
            }
            send_json(res, Json{{"token", *token}, {"user", user_json(*user)}});
          }));

  server.Post("/api/logout", json_route(
                                 ctx, Access::kUser,
                                 [&ctx](const httplib::Request& req, httplib::Response& res,
                                        const User&, const Json& body) {
                                   refuse_unknown_keys(body, {});
                                   if (auto token = request_token(req, false))
                                     ctx.store.logout(*token);
                                   send_json(res, Json::object());
                                 },
                                 EmptyBody::kIsEmptyObject));

  server.Get("/api/me", with_auth(ctx, Access::kUser,
                                  [](const httplib::Request&, httplib::Response& res,
                                     const User& caller) { send_json(res, user_json(caller)); }));
}

}  // namespace boxloop::server
