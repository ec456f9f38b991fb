// The labeling server: the JSON API of docs/api.md under /api/, server-sent events under
// /api/events and the built page under /. One Server serves one project's Store.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace boxloop::server {

class EventBus;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0: any free port (tests); read it back with Server::port()
  std::filesystem::path web_root;  // the built page; empty: default_web_root()
  // Every open connection holds a worker while it is kept alive, and every open page holds one
  // more for its event stream, so 50 labelers need well over 100.
  std::size_t threads = 256;
  // Request bodies (docs/api.md "Limits"): larger ones get 413, chunked or not. Uploads may be
  // max_body_bytes, JSON bodies max_json_bytes (at most max_body_bytes). A body over its limit is
  // still read and dropped up to max_drain_bytes so that the connection stays usable; beyond
  // that the answer closes the connection.
  std::size_t max_body_bytes = 64u << 20;
  std::size_t max_json_bytes = 1u << 20;
  std::size_t max_drain_bytes = 256u << 20;
  // Each read of a request's line, headers or body waits at most this long, so a client that
  // stops sending frees its worker soon; a JSON body must arrive in full within the deadline.
  std::chrono::seconds read_timeout{5};
  std::chrono::milliseconds json_body_deadline{10'000};
  std::chrono::milliseconds sse_ping_interval{15'000};
  // How often the store is polled for job, model and queue changes made by any process.
  std::chrono::milliseconds watch_interval{1'000};
};

// BOXLOOP_WEB_DIST, set at build time to the source tree's web/dist.
std::filesystem::path default_web_root();

class Server {
 public:
  Server(Store& store, ServerOptions options);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on background threads. Throws kIo when the address cannot be bound.
  void start();
  // The bound port (the ephemeral one when options.port is 0); valid after start().
  int port() const { return port_; }
  std::string url() const;
  // Ends event streams, stops accepting and waits for the workers. Safe to call twice.
  void stop();

  // Other parts of the process (the loop) publish events to open pages here.
  EventBus& events();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace boxloop::server
