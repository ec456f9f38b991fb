// The loop's first batch (issue 13): how the pool is ordered before there is any model to score
// it with. Without an order, `next` serves images in import order, usually folder order, where
// neighbouring photos are alike (one scene, one burst); the simulation starts from a random draw,
// so the product must too. The worker queues one first-batch score job when the loop is on, no
// model exists and no queue is there (loop/state/rounds.h order_first_batch_if_due); it publishes
// a queue without a model or proposals, which the first round's score job replaces.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/progress.h"
#include "loop/score.h"
#include "store/store.h"

namespace boxloop::loop {

// TypiClust's `k` typical, spread-out images of `pool` (typical_spread_images), on the features of
// the pretrained weights a loop round of `store` would start from; nullopt when the first round
// would not start from pretrained weights (none found: its features would be noise).
std::optional<std::vector<Id>> typical_first_images(
    Store& store, const std::vector<Image>& pool, int k, std::uint64_t seed,
    const std::vector<std::filesystem::path>& pretrained_fallbacks);

// Orders every unlabeled image and publishes the queue (no model, no proposals; the strategy
// recorded as "typical first batch" or "random first batch"): for kTypical, TypiClust's picks of
// one round's worth of labels (the loop's `every`) first, then the rest in a random order; for
// kRandom (or kTypical without pretrained weights, said in the log) all in a random order, seeded
// by options.seed. ScoreResult::model_id is 0. Throws kCancelled.
ScoreResult order_first_batch(Store& store, FirstBatch order, const ScoreOptions& options,
                              const CancelFn& cancel = nullptr);

}  // namespace boxloop::loop
