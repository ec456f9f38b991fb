#include "server/server.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/error.h"
#include "server/event_bus.h"
#include "server/http_errors.h"
#include "server/route_context.h"
#include "server/store_watcher.h"

namespace boxloop::server {

std::filesystem::path default_web_root() { return BOXLOOP_WEB_DIST; }

void RouteContext::labels_changed() const {
  if (watcher) watcher->counts_changed();
}

struct Server::Impl {
  Impl(Store& s, ServerOptions o) : store(s), options(std::move(o)), ctx{store, events, options} {
    if (options.web_root.empty()) options.web_root = default_web_root();
  }

  Store& store;
  ServerOptions options;
  EventBus events;
  RouteContext ctx;
  httplib::Server http;
  std::thread listener;
  std::unique_ptr<StoreWatcher> watcher;
  bool started = false;
  bool stopped = false;
};

Server::Server(Store& store, ServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

Server::~Server() { stop(); }

EventBus& Server::events() { return impl_->events; }

std::string Server::url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(port_) + "/";
}

void Server::start() {
  Impl& impl = *impl_;
  if (impl.started) throw Error(ErrorCode::kInternal, "the server was already started");
  httplib::Server& http = impl.http;
  const std::size_t threads = impl.options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Bodies are read by the routes within their own limits (request_body.h); this only stops
  // cpp-httplib from skipping a declared length beyond what any route would drain.
  http.set_payload_max_length(impl.options.max_drain_bytes);
  // A page makes many small requests; closing after httplib's default of 5 wastes handshakes.
  http.set_keep_alive_max_count(1000);
  http.set_keep_alive_timeout(5);
  http.set_read_timeout(impl.options.read_timeout.count());
  http.set_write_timeout(30);
  http.set_tcp_nodelay(true);
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("{} {} -> {}", req.method, req.path, res.status);
  });
  install_error_handlers(http);

  add_auth_routes(http, impl.ctx);
  add_project_routes(http, impl.ctx);
  add_file_routes(http, impl.ctx);  // before the label routes: /api/images/{id}/file
  add_label_routes(http, impl.ctx);
  add_upload_routes(http, impl.ctx);
  add_export_routes(http, impl.ctx);
  add_job_routes(http, impl.ctx);
  add_loop_routes(http, impl.ctx);
  add_event_routes(http, impl.ctx);
  add_body_fallback_routes(http, impl.ctx);  // after every route with a body
  add_static_routes(http, impl.options.web_root);

  const std::string& host = impl.options.host;
  if (impl.options.port == 0) {
    port_ = http.bind_to_any_port(host);
  } else {
    port_ = http.bind_to_port(host, impl.options.port) ? impl.options.port : -1;
  }
  if (port_ <= 0) {
    throw Error(ErrorCode::kIo, "cannot listen on " + host + ":" +
                                    std::to_string(impl.options.port) +
                                    " (in use, or not an address of this machine)");
  }
  impl.watcher =
      std::make_unique<StoreWatcher>(impl.store, impl.events, impl.options.watch_interval);
  impl.ctx.watcher = impl.watcher.get();
  impl.listener = std::thread([&http] { http.listen_after_bind(); });
  // stop() only acts on a running server; wait so an early stop() cannot be lost.
  while (!http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl.started = true;
  spdlog::info("serving {} on {} (page from {})", impl.store.dir().string(), url(),
               impl.options.web_root.string());
}

void Server::stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.events.close();  // event streams end first, or the workers holding them never finish
  impl.http.stop();
  impl.listener.join();
  impl.ctx.watcher = nullptr;
  impl.watcher.reset();
  spdlog::info("server stopped");
}

}  // namespace boxloop::server
