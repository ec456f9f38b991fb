// The query queue as the page sees it: each queued image's rank and uncertainty, and the halting
// report of the whole queue (DESIGN.md "Active learning"). The report sorts every uncertainty, so
// it is computed once per queue, not per GET /api/next; a queue is known by its queue_info()
// (model, strategy, creation time to the millisecond, size).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "active/halting.h"
#include "core/json.h"
#include "store/store.h"

namespace boxloop::server {

struct QueueSnapshot {
  Json info;  // Store::queue_info(): null when there is no queue
  std::unordered_map<Id, QueueEntry> entries;
  // None without a queue, and for a queue no model scored whose values are all equal (the loop's
  // first batch, loop/first_batch.h): there is no order there to judge against random.
  std::optional<active::HaltingReport> report;

  // GET /api/queue: {model_id, strategy, created_at, size, halting}.
  Json to_json() const;
  // The `query` of GET /api/next: {rank, uncertainty, position, zone} (position and zone null
  // without a halting report), or null when the image is not in the queue.
  Json query_json(Id image_id) const;
};

class QueueCache {
 public:
  // The snapshot of the current queue, rebuilt only when the queue changed.
  std::shared_ptr<const QueueSnapshot> get(Store& store);

 private:
  std::mutex mutex_;
  std::shared_ptr<const QueueSnapshot> snapshot_;
};

}  // namespace boxloop::server
