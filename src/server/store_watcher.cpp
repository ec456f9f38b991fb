#include "server/store_watcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "loop/state/rounds.h"
#include "server/json_shapes.h"
#include "server/loop_json.h"
#include "store/change_feed.h"

namespace boxloop::server {

namespace {
constexpr int kJobsWatched = 50;  // the newest jobs; older ones have long finished
// The least time between two recounts for the `counts` event: pages see a burst of saves' counts
// at most this late.
constexpr std::chrono::milliseconds kCountsSpacing{200};
}  // namespace

StoreWatcher::StoreWatcher(Store& store, EventBus& events, std::chrono::milliseconds interval)
    : store_(store), events_(events), interval_(interval) {
  poll(/*publish=*/false);  // what exists at start-up is not news
  thread_ = std::thread([this] { run(); });
  // On PostgreSQL, saves made through other servers on the same database are news here too.
  feed_ = store_.watch_changes([this](const std::string& what) {
    if (what == kLabelsChanged) counts_changed();
  });
}

StoreWatcher::~StoreWatcher() {
  feed_.reset();  // no callback into this object from here on
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StoreWatcher::counts_changed() {
  {
    std::lock_guard lock(mutex_);
    counts_dirty_ = true;
  }
  cv_.notify_all();
}

void StoreWatcher::run() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mutex_);
  auto next_poll = Clock::now() + interval_;
  auto next_counts = Clock::now();
  while (true) {
    // Saves that arrive while a recount is not yet due wait for it: a recount reads every image
    // and box (5 ms of PostgreSQL's time on 20,000 images), and run back to back under a stream
    // of saves it took nearly half the time of all statements. The last save of a burst is still
    // counted.
    const bool dirty = counts_dirty_;
    const auto wake = dirty ? std::min(next_poll, next_counts) : next_poll;
    cv_.wait_until(lock, wake, [&] { return stopping_ || counts_dirty_ != dirty; });
    if (stopping_) return;
    const auto now = Clock::now();
    const bool counts = counts_dirty_ && now >= next_counts;
    const bool poll_due = now >= next_poll;
    if (!counts && !poll_due) continue;
    if (counts) {
      counts_dirty_ = false;
      next_counts = now + kCountsSpacing;
    }
    lock.unlock();
    try {
      if (counts && events_.subscriber_count() > 0) {
        events_.publish(ServerEvent{"counts", Json{{"counts", counts_json(store_)}}});
      }
      if (poll_due) poll();
    } catch (const std::exception& e) {
      // A busy or briefly locked database; the next round catches up.
      spdlog::warn("store watcher: {}", e.what());
    }
    lock.lock();
    if (poll_due) next_poll = std::chrono::steady_clock::now() + interval_;
  }
}

void StoreWatcher::poll(bool publish) {
  for (const Job& job : store_.jobs(kJobsWatched)) {
    Json json = job_json(job);
    std::string text = json.dump();
    auto [it, inserted] = jobs_.try_emplace(job.id, text);
    if (!inserted && it->second == text) continue;
    it->second = std::move(text);
    if (publish) events_.publish(ServerEvent{"job", Json{{"job", std::move(json)}}});
  }

  if (auto model = store_.latest_model(); model && model->id != model_id_) {
    model_id_ = model->id;
    if (publish) {
      events_.publish(ServerEvent{
          "model", Json{{"model_id", model->id},
                        {"trained_on", model->trained_on},
                        {"metrics", model->metrics},
                        {"message", "model " + std::to_string(model->id) + " trained on " +
                                        std::to_string(model->trained_on) + " images"}}});
    }
  }

  const Json info = store_.queue_info();
  std::string text = info.dump();
  if (text != queue_) {
    queue_ = std::move(text);
    if (publish && info.is_object()) {
      const int size = info.value("size", 0);
      const std::string strategy = info.value("strategy", "");
      const Json model_id = info.value("model_id", Json());
      const std::string source =
          model_id.is_number() ? "model " + std::to_string(model_id.get<Id>()) : "a model file";
      events_.publish(ServerEvent{
          "queue", Json{{"model_id", model_id},
                        {"strategy", strategy},
                        {"size", size},
                        {"created_at", info.value("created_at", Json())},
                        {"message", "New queue from " + source + " (" + strategy + ")"}}});
    }
  }

  // The loop's state; a running job's progress is left out of the comparison (the `job` event
  // carries it), so pages get a `loop` event per step of a round, not per progress tick.
  const Json loop = loop_status_json(loop::loop_status(store_));
  Json key = loop;
  key["job"] = loop["job"].is_object() ? loop["job"]["id"] : Json(nullptr);
  std::string loop_text = key.dump();
  if (loop_text != loop_) {
    loop_ = std::move(loop_text);
    if (publish) events_.publish(ServerEvent{"loop", loop});
  }
}

}  // namespace boxloop::server
