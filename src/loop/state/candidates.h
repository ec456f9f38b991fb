// Which unlabeled images a round scores when the pool is large (issue "A round's model":
// N-th label to new queue in under a minute on 5,000+ images). Scoring every image costs about
// 12 ms each on 2 cores, so a 5,000-image pool spends a minute there alone. A bounded round
// scores a candidate set instead and keeps the other images where they were.
//
// Fairness: the candidates are the head of the current queue (the images labelers get next, so
// they are re-ranked by the newest model and get its proposals) plus a uniform random sample of
// everything else, so every unlabeled image has the same chance each round to be re-scored and
// move up; and every kFullScoreEvery-th model scores the whole pool. Images left out keep their
// order and their last score behind the re-scored ones (a stale score never outranks a fresh one);
// images never scored (imported since) come last in id order until a sample or full round
// reaches them. Their proposals are dropped with the old model's: they get the new model's when
// re-scored.
#pragma once

#include <cstdint>
#include <vector>

#include "store/store.h"

namespace boxloop::loop {

// A loop round's candidate budget: the pool size above which a round scores candidates only
// (about 25 s of scoring on 2 cores), and how often the whole pool is scored anyway.
inline constexpr int kRoundCandidates = 2000;
inline constexpr int kFullScoreEvery = 5;

struct CandidateSet {
  std::vector<Image> scored;     // to score now: queue head first, then the random sample
  std::vector<QueueEntry> kept;  // the others, in their old queue order, ranks from 0
};

// Splits `unlabeled` for a scoring of at most `limit` images: all of them when limit <= 0 or the
// pool fits. Otherwise the first limit/2 images of `old_queue` that are still unlabeled, then a
// seeded uniform sample of the rest up to `limit`. Deterministic for the same inputs and seed.
CandidateSet select_candidates(const std::vector<Image>& unlabeled,
                               const std::vector<QueueEntry>& old_queue, int limit,
                               std::uint64_t seed);

// The candidate limit of the round that scores with the `models_in_project`-th model: 0 (the
// whole pool) every kFullScoreEvery-th model, else kRoundCandidates. The first round is bounded
// too: the images it leaves out keep the order they were served in before any model.
int round_candidate_limit(int models_in_project);

}  // namespace boxloop::loop
