// Turns changes in the store into events for open pages: a job changing state or progress, a new
// model, a new query queue. It polls, because the change may come from another process (the CLI
// training while the server serves) that cannot reach this process's EventBus. It also sends the
// `counts` event after saves, off the request path: counting scans the labels, and a burst of
// saves needs only one recount. On PostgreSQL it also hears of saves made through other servers on
// the same database (LISTEN/NOTIFY, store/change_feed.h), so their pages' counts follow too.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "server/event_bus.h"
#include "store/store.h"

namespace boxloop::server {

class StoreWatcher {
 public:
  StoreWatcher(Store& store, EventBus& events, std::chrono::milliseconds interval);
  ~StoreWatcher();
  StoreWatcher(const StoreWatcher&) = delete;
  StoreWatcher& operator=(const StoreWatcher&) = delete;

  // Compares the store with the last snapshot and publishes what changed.
  void poll(bool publish = true);
  // Labels changed: publish fresh counts soon (once for many calls in a row).
  void counts_changed();

 private:
  void run();

  Store& store_;
  EventBus& events_;
  std::chrono::milliseconds interval_;
  std::map<Id, std::string> jobs_;  // id -> JSON of the job as last seen
  std::optional<Id> model_id_;
  std::string queue_;  // queue_info() as last seen
  std::string loop_;   // the parts of the loop's state whose change is news, as last seen
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool counts_dirty_ = false;
  std::thread thread_;
  std::unique_ptr<ChangeFeed> feed_;  // PostgreSQL: other processes' saves; none on SQLite
};

}  // namespace boxloop::server
