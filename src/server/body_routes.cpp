// The wrappers every route with a body goes through (route_context.h): read within limits,
// authenticate, parse.
#include <algorithm>

#include "core/error.h"
#include "server/auth.h"
#include "server/request_json.h"
#include "server/route_context.h"

namespace boxloop::server {

namespace {

BodyLimits json_limits(const ServerOptions& options) {
  return BodyLimits{std::min(options.max_json_bytes, options.max_body_bytes),
                    options.max_drain_bytes, options.json_body_deadline};
}

BodyLimits upload_limits(const ServerOptions& options) {
  return BodyLimits{options.max_body_bytes, options.max_drain_bytes, {}};
}

}  // namespace

httplib::Server::HandlerWithContentReader json_route(RouteContext& ctx, Access access,
                                                     JsonHandler handler, EmptyBody empty) {
  return [&ctx, access, handler = std::move(handler), empty](const httplib::Request& req,
                                                             httplib::Response& res,
                                                             const httplib::ContentReader& reader) {
    // Read first, whoever calls: an unread body would be taken for the next request.
    const std::string body = read_body(req, res, reader, json_limits(ctx.options));
    const User caller = authorize(ctx.store, access, req, false);
    const Json json = body.empty() && empty == EmptyBody::kIsEmptyObject ? Json::object()
                                                                         : parse_json_object(body);
    handler(req, res, caller, json);
  };
}

httplib::Server::HandlerWithContentReader upload_route(RouteContext& ctx, Access access,
                                                       UploadHandler handler) {
  return [&ctx, access, handler = std::move(handler)](const httplib::Request& req,
                                                      httplib::Response& res,
                                                      const httplib::ContentReader& reader) {
    auto files =
        read_multipart(req, res, reader, upload_limits(ctx.options), limits::kMaxUploadFiles);
    const User caller = authorize(ctx.store, access, req, false);
    handler(req, res, caller, std::move(files));
  };
}

void add_body_fallback_routes(httplib::Server& server, RouteContext& ctx) {
  const auto no_route = [&ctx](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
    read_body(req, res, reader, json_limits(ctx.options));
    throw Error(ErrorCode::kNotFound, "no such route: " + req.method + " " + req.path);
  };
  server.Post(R"(/.*)", no_route);
  server.Put(R"(/.*)", no_route);
  server.Patch(R"(/.*)", no_route);
  server.Delete(R"(/.*)", no_route);
}

}  // namespace boxloop::server
