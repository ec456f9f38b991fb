// What every route needs: the store, the event bus, the options, and the wrapper that
// authenticates a request before its handler runs.
#pragma once

#include <httplib.h>

#include <functional>

#include "server/event_bus.h"
#include "server/queue_cache.h"
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

enum class Access { kUser, kAdmin };

using ApiHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const User& caller)>;

// Authenticates (see auth.h), checks the role and then calls `handler`; a refusal is thrown as
// kUnauthenticated / kForbidden and mapped to 401 / 403.
httplib::Server::Handler with_auth(RouteContext& ctx, Access access, ApiHandler handler,
                                   bool allow_query_token = false);

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
