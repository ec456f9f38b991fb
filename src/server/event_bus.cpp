#include "server/event_bus.h"

#include <algorithm>

namespace boxloop::server {

std::string format_sse(const ServerEvent& event) {
  // dump() without indent keeps the JSON on one line, as one `data:` line must be.
  return "event: " + event.type +
         "\ndata: " + event.data.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
}

std::vector<ServerEvent> Subscriber::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
  std::vector<ServerEvent> events;
  if (closed_) return events;
  events.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  return events;
}

bool Subscriber::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void Subscriber::push(const ServerEvent& event) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (queue_.size() >= kMaxQueued) queue_.pop_front();
    queue_.push_back(event);
  }
  cv_.notify_all();
}

void Subscriber::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::shared_ptr<Subscriber> EventBus::subscribe() {
  auto subscriber = std::make_shared<Subscriber>();
  std::lock_guard lock(mutex_);
  if (closed_) {
    subscriber->close();
  } else {
    subscribers_.push_back(subscriber);
  }
  return subscriber;
}

void EventBus::unsubscribe(const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mutex_);
  std::erase(subscribers_, subscriber);
}

void EventBus::publish(const ServerEvent& event) {
  std::lock_guard lock(mutex_);
  for (const auto& subscriber : subscribers_) subscriber->push(event);
}

void EventBus::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (const auto& subscriber : subscribers_) subscriber->close();
}

std::size_t EventBus::subscriber_count() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

}  // namespace boxloop::server
