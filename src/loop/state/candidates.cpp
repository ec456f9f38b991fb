#include "loop/state/candidates.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace boxloop::loop {

CandidateSet select_candidates(const std::vector<Image>& unlabeled,
                               const std::vector<QueueEntry>& old_queue, int limit,
                               std::uint64_t seed) {
  CandidateSet set;
  if (limit <= 0 || unlabeled.size() <= static_cast<std::size_t>(limit)) {
    set.scored = unlabeled;
    return set;
  }
  std::map<Id, const Image*> by_id;
  for (const Image& image : unlabeled) by_id[image.id] = &image;
  std::vector<QueueEntry> queue = old_queue;
  std::sort(queue.begin(), queue.end(),
            [](const QueueEntry& a, const QueueEntry& b) { return a.rank < b.rank; });

  std::set<Id> chosen;
  const std::size_t head = static_cast<std::size_t>(limit) / 2;
  for (const QueueEntry& entry : queue) {
    if (chosen.size() >= head) break;
    const auto it = by_id.find(entry.image_id);
    if (it == by_id.end()) continue;  // labeled since the queue was made
    set.scored.push_back(*it->second);
    chosen.insert(entry.image_id);
  }
  std::vector<const Image*> rest;
  for (const Image& image : unlabeled) {
    if (!chosen.count(image.id)) rest.push_back(&image);
  }
  std::mt19937_64 rng(seed);
  std::shuffle(rest.begin(), rest.end(), rng);
  for (const Image* image : rest) {
    if (set.scored.size() >= static_cast<std::size_t>(limit)) break;
    set.scored.push_back(*image);
    chosen.insert(image->id);
  }

  // The left-out images: old queue order, then the never-scored ones by id.
  std::set<Id> kept_ids;
  for (const QueueEntry& entry : queue) {
    if (by_id.count(entry.image_id) && !chosen.count(entry.image_id) &&
        kept_ids.insert(entry.image_id).second) {
      set.kept.push_back(QueueEntry{entry.image_id, entry.uncertainty, 0});
    }
  }
  for (const Image& image : unlabeled) {
    if (!chosen.count(image.id) && kept_ids.insert(image.id).second) {
      set.kept.push_back(QueueEntry{image.id, 0, 0});
    }
  }
  for (std::size_t i = 0; i < set.kept.size(); ++i) set.kept[i].rank = static_cast<int>(i);
  return set;
}

int round_candidate_limit(int models_in_project) {
  if (models_in_project % kFullScoreEvery == 0) return 0;
  return kRoundCandidates;
}

}  // namespace boxloop::loop
