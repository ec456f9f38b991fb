#include "loop/first_batch.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "core/error.h"
#include "detector/detector.h"
#include "loop/round_options.h"
#include "loop/state/loop_settings.h"
#include "loop/state/rounds.h"
#include "train/model_source.h"

namespace boxloop::loop {

std::optional<std::vector<Id>> typical_first_images(
    Store& store, const std::vector<Image>& pool, int k, std::uint64_t seed,
    const std::vector<std::filesystem::path>& pretrained_fallbacks) {
  const TrainOptions round =
      train_job_options(store, Json{{kRoundAfterEventKey, 0}}, pretrained_fallbacks);
  if (round.from != "pretrained") return std::nullopt;
  DetectorConfig config;
  config.arch = round.arch;
  config.num_classes = static_cast<int>(store.categories().size());
  config.input_size = round.input_size;
  prepare_cpu_for_torch();
  const auto detector = make_detector(config);
  detector->load_pretrained(
      find_pretrained(store.dir(), round.arch, round.pretrained, pretrained_fallbacks));
  return typical_spread_images(store, *detector, pool, k, seed);
}

ScoreResult order_first_batch(Store& store, FirstBatch order, const ScoreOptions& options,
                              const CancelFn& cancel) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<Image> pool = store.images_with_status(ImageStatus::kUnlabeled);
  std::vector<Id> first;
  if (order == FirstBatch::kTypical) {
    if (auto picks = typical_first_images(store, pool, loop_settings(store).every, options.seed,
                                          options.pretrained_fallbacks)) {
      first = std::move(*picks);
    } else {
      spdlog::warn("first batch: no pretrained weights to choose typical images with; random");
      order = FirstBatch::kRandom;
    }
  }
  if (cancel && cancel()) throw Error{ErrorCode::kCancelled, "scoring cancelled"};
  std::mt19937_64 rng(options.seed);
  std::shuffle(pool.begin(), pool.end(), rng);

  std::vector<QueueEntry> queue;
  queue.reserve(pool.size());
  for (const Id id : first) queue.push_back(QueueEntry{id, 0, static_cast<int>(queue.size())});
  const std::set<Id> chosen(first.begin(), first.end());
  for (const Image& image : pool) {
    if (!chosen.contains(image.id)) {
      queue.push_back(QueueEntry{image.id, 0, static_cast<int>(queue.size())});
    }
  }
  ScoreResult result;
  result.strategy = first_batch_queue_strategy(order);
  store.replace_queue(std::nullopt, result.strategy, queue, {});
  result.images = static_cast<int>(queue.size());
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("queue of {} unlabeled images ordered for the first round: {} ({:.1f} s)",
               result.images, result.strategy, result.seconds);
  return result;
}

}  // namespace boxloop::loop
