// Fan-out of server events to the open event streams (/api/events). Publishing never blocks on a
// slow client: each subscriber has its own bounded queue and drops its oldest events when full.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/json.h"

namespace boxloop::server {

struct ServerEvent {
  std::string type;  // counts | queue | model | job | loop
  Json data;
};

// One SSE message: "event: <type>\ndata: <json>\n\n".
std::string format_sse(const ServerEvent& event);

class Subscriber {
 public:
  static constexpr std::size_t kMaxQueued = 256;

  // Waits up to `timeout` for events and takes them; empty on timeout or once closed.
  std::vector<ServerEvent> wait(std::chrono::milliseconds timeout);
  bool closed() const;

 private:
  friend class EventBus;
  void push(const ServerEvent& event);
  void close();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<ServerEvent> queue_;
  bool closed_ = false;
};

class EventBus {
 public:
  std::shared_ptr<Subscriber> subscribe();
  void unsubscribe(const std::shared_ptr<Subscriber>& subscriber);
  void publish(const ServerEvent& event);
  // Wakes and closes every subscriber (their streams end) and refuses new ones: server shutdown
  // must not wait for clients that never disconnect.
  void close();
  std::size_t subscriber_count() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Subscriber>> subscribers_;
  bool closed_ = false;
};

}  // namespace boxloop::server
