#include "server/auth.h"

#include "core/error.h"
#include "server/route_context.h"

namespace boxloop::server {

std::optional<std::string> request_token(const httplib::Request& req, bool allow_query_token) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() > kBearer.size() && header.starts_with(kBearer)) {
    return header.substr(kBearer.size());
  }
  if (allow_query_token && req.has_param("token")) return req.get_param_value("token");
  return std::nullopt;
}

User authenticate(Store& store, const httplib::Request& req, bool allow_query_token) {
  // The token first: a valid one proves that the project has users, so a request that carries
  // one (nearly all, once there are users) costs one read instead of two.
  const auto token = request_token(req, allow_query_token);
  if (token) {
    if (auto user = store.user_for_token(*token)) return *user;
  }
  if (!store.has_users()) return User{0, kLocalUser, UserRole::kAdmin};
  if (!token) {
    throw Error(ErrorCode::kUnauthenticated,
                "log in first: this project needs a token (Authorization: Bearer <token>)");
  }
  throw Error(ErrorCode::kUnauthenticated, "the token is not valid (log in again)");
}

void require_admin(const User& caller, const httplib::Request& req) {
  if (caller.role != UserRole::kAdmin) {
    throw Error(ErrorCode::kForbidden, "only an admin may " + req.method + " " + req.path);
  }
}

User authorize(Store& store, Access access, const httplib::Request& req, bool allow_query_token) {
  if (access == Access::kAnyone) return User{};
  const User caller = authenticate(store, req, allow_query_token);
  if (access == Access::kAdmin) require_admin(caller, req);
  return caller;
}

httplib::Server::Handler with_auth(RouteContext& ctx, Access access, ApiHandler handler,
                                   bool allow_query_token) {
  return [&ctx, access, handler = std::move(handler), allow_query_token](
             const httplib::Request& req, httplib::Response& res) {
    handler(req, res, authorize(ctx.store, access, req, allow_query_token));
  };
}

}  // namespace boxloop::server
