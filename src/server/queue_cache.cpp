#include "server/queue_cache.h"

#include <algorithm>
#include <functional>

namespace boxloop::server {

namespace {

bool has_halting_scale(const Json& info, const std::vector<double>& uncertainties) {
  if (!info.is_object()) return false;
  if (!info.value("model_id", Json()).is_null()) return true;
  return std::adjacent_find(uncertainties.begin(), uncertainties.end(), std::not_equal_to<>()) !=
         uncertainties.end();
}

}  // namespace

Json QueueSnapshot::to_json() const {
  if (!info.is_object()) {
    return Json{{"size", 0},
                {"model_id", nullptr},
                {"strategy", nullptr},
                {"created_at", nullptr},
                {"halting", nullptr}};
  }
  Json out = info;
  out["halting"] = report ? active::to_json(*report) : Json();
  return out;
}

Json QueueSnapshot::query_json(Id image_id) const {
  const auto it = entries.find(image_id);
  if (it == entries.end()) return nullptr;
  const QueueEntry& entry = it->second;
  if (!report) {
    return Json{{"rank", entry.rank},
                {"uncertainty", entry.uncertainty},
                {"position", nullptr},
                {"zone", nullptr}};
  }
  return Json{{"rank", entry.rank},
              {"uncertainty", entry.uncertainty},
              {"position", report->normalise(entry.uncertainty)},
              {"zone", active::to_string(report->zone(entry.uncertainty))}};
}

std::shared_ptr<const QueueSnapshot> QueueCache::get(Store& store) {
  const Json info = store.queue_info();
  std::lock_guard lock(mutex_);
  if (snapshot_ && snapshot_->info == info) return snapshot_;

  auto fresh = std::make_shared<QueueSnapshot>();
  // The queue may be replaced between reading its info and its rows: read until both agree.
  Json seen = info;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::vector<QueueEntry> entries = store.queue();
    const Json after = store.queue_info();
    fresh->entries.clear();
    std::vector<double> uncertainties;
    uncertainties.reserve(entries.size());
    for (const QueueEntry& entry : entries) {
      fresh->entries.emplace(entry.image_id, entry);
      uncertainties.push_back(entry.uncertainty);
    }
    fresh->info = after;
    fresh->report.reset();
    if (has_halting_scale(after, uncertainties)) {
      fresh->report = active::halting_report(uncertainties);
    }
    if (after == seen) break;
    seen = after;
  }
  snapshot_ = std::move(fresh);
  return snapshot_;
}

}  // namespace boxloop::server
