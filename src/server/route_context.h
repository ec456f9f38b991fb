// What every route needs: the store, the event bus, the options, and the wrapper that
// authenticates a request before its handler runs.
#pragma once

#include <httplib.h>

#include <functional>
#include <vector>

#include "core/json.h"
#include "server/event_bus.h"
#include "server/queue_cache.h"
#include "server/request_body.h"
#include "server/server.h"
#include "store/store.h"

namespace boxloop::server {

class StoreWatcher;

struct RouteContext {
  Store& store;
  EventBus& events;
  const ServerOptions& options;
  StoreWatcher* watcher = nullptr;  // set once the server starts
  QueueCache queue_cache{};         // the query queue and its halting report
  // Tells open pages that labels changed (the counts event).
  void labels_changed() const;
};

// kAnyone: no token needed (login); the handler's caller is then an empty User.
enum class Access { kAnyone, kUser, kAdmin };

using ApiHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const User& caller)>;

// Authenticates (see auth.h), checks the role and then calls `handler`; a refusal is thrown as
// kUnauthenticated / kForbidden and mapped to 401 / 403.
httplib::Server::Handler with_auth(RouteContext& ctx, Access access, ApiHandler handler,
                                   bool allow_query_token = false);

// Every route that takes a body (POST, PUT, PATCH) is registered with one of these two, so that
// each body is read within the limits of request_body.h before anything else happens. A plain
// server.Post/Put/Patch handler would be shadowed by the fallback of add_body_fallback_routes.
//
// json_route: the body is read (ServerOptions::max_json_bytes, 413 above, chunked or not), the
// caller authenticated, the body parsed as a JSON object within the depth limit (request_json.h)
// and `handler` called with it. `EmptyBody::kIsEmptyObject` reads a missing body as {} (routes
// without parameters); otherwise an empty body is a 400.
enum class EmptyBody { kRefused, kIsEmptyObject };
using JsonHandler = std::function<void(const httplib::Request&, httplib::Response&,
                                       const User& caller, const Json& body)>;
httplib::Server::HandlerWithContentReader json_route(RouteContext& ctx, Access access,
                                                     JsonHandler handler,
                                                     EmptyBody empty = EmptyBody::kRefused);
// upload_route: a multipart/form-data body within ServerOptions::max_body_bytes.
using UploadHandler = std::function<void(const httplib::Request&, httplib::Response&,
                                         const User& caller, std::vector<UploadedFile> files)>;
httplib::Server::HandlerWithContentReader upload_route(RouteContext& ctx, Access access,
                                                       UploadHandler handler);
// Last of the body routes: a POST, PUT, PATCH or DELETE to no route gets its 404 after its body
// was read within limits (cpp-httplib would read it without any).
void add_body_fallback_routes(httplib::Server& server, RouteContext& ctx);

// The routes, one file per resource.
void add_auth_routes(httplib::Server& server, RouteContext& ctx);     // login, logout, me
void add_project_routes(httplib::Server& server, RouteContext& ctx);  // project, stats, settings
void add_label_routes(httplib::Server& server, RouteContext& ctx);    // next, previous, images
void add_upload_routes(httplib::Server& server, RouteContext& ctx);   // POST /api/images
void add_file_routes(httplib::Server& server, RouteContext& ctx);     // image bytes
void add_export_routes(httplib::Server& server, RouteContext& ctx);
void add_job_routes(httplib::Server& server, RouteContext& ctx);  // jobs, models
void add_event_routes(httplib::Server& server, RouteContext& ctx);
void add_loop_routes(httplib::Server& server, RouteContext& ctx);  // queue, loop settings, rounds
// Last: the built page under / (index.html for unknown paths), 404 JSON for unknown /api/ paths.
void add_static_routes(httplib::Server& server, const std::filesystem::path& web_root);

}  // namespace boxloop::server
