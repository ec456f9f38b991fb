// The candidate set of a bounded scoring (loop/state/candidates.h): the queue's head, a uniform
// sample of the rest, and every other image kept in its old order.
#include "loop/state/candidates.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace boxloop::loop {
namespace {

std::vector<Image> images_with_ids(Id first, Id last) {
  std::vector<Image> out;
  for (Id id = first; id <= last; ++id) {
    Image image;
    image.id = id;
    out.push_back(image);
  }
  return out;
}

// The old queue ranks images 100, 99, ..., 1 (the highest id first).
std::vector<QueueEntry> descending_queue(Id last) {
  std::vector<QueueEntry> queue;
  for (Id id = last; id >= 1; --id) {
    queue.push_back(QueueEntry{id, static_cast<double>(id) / 100.0, static_cast<int>(last - id)});
  }
  return queue;
}

TEST(Candidates, APoolThatFitsIsScoredWhole) {
  const auto pool = images_with_ids(1, 30);
  for (int limit : {0, 30, 100}) {
    const CandidateSet set = select_candidates(pool, descending_queue(30), limit, 1);
    EXPECT_EQ(set.scored.size(), 30u) << limit;
    EXPECT_TRUE(set.kept.empty()) << limit;
  }
}

TEST(Candidates, TakeTheQueueHeadThenASampleAndKeepTheRestInOrder) {
  // Images 1..100 were queued; 100 and 97 have been labeled since; 101..110 were imported since.
  std::vector<Image> pool = images_with_ids(1, 110);
  std::erase_if(pool, [](const Image& i) { return i.id == 100 || i.id == 97; });
  const CandidateSet set = select_candidates(pool, descending_queue(100), 20, 7);

  ASSERT_EQ(set.scored.size(), 20u);
  // The head: the first ten still unlabeled images of the old queue, in its order.
  const std::vector<Id> head{99, 98, 96, 95, 94, 93, 92, 91, 90, 89};
  for (std::size_t i = 0; i < head.size(); ++i) EXPECT_EQ(set.scored[i].id, head[i]);
  // Every unlabeled image is either scored or kept, once.
  std::set<Id> seen;
  for (const Image& i : set.scored) EXPECT_TRUE(seen.insert(i.id).second) << i.id;
  for (const QueueEntry& e : set.kept) EXPECT_TRUE(seen.insert(e.image_id).second) << e.image_id;
  EXPECT_EQ(seen.size(), pool.size());
  // Kept: the old queue's order (descending ids up to 100), then the never-scored by id.
  ASSERT_EQ(set.kept.size(), pool.size() - 20);
  for (std::size_t i = 0; i < set.kept.size(); ++i) {
    EXPECT_EQ(set.kept[i].rank, static_cast<int>(i));
    if (i == 0) continue;
    const Id before = set.kept[i - 1].image_id, now = set.kept[i].image_id;
    if (before <= 100 && now <= 100) {
      EXPECT_LT(now, before);
    }
    if (before > 100) {
      EXPECT_GT(now, before) << "never-scored images by id";
    }
    EXPECT_FALSE(before > 100 && now <= 100) << "queued images come before never-scored ones";
  }
  // The kept entries keep their last score; never-scored ones have none.
  for (const QueueEntry& e : set.kept) {
    EXPECT_DOUBLE_EQ(e.uncertainty, e.image_id <= 100 ? e.image_id / 100.0 : 0.0);
  }
  // The same inputs and seed give the same set; another seed another sample.
  const CandidateSet again = select_candidates(pool, descending_queue(100), 20, 7);
  for (std::size_t i = 0; i < set.scored.size(); ++i)
    EXPECT_EQ(again.scored[i].id, set.scored[i].id);
  const CandidateSet other = select_candidates(pool, descending_queue(100), 20, 8);
  std::set<Id> a, b;
  for (std::size_t i = 10; i < 20; ++i) {
    a.insert(set.scored[i].id);
    b.insert(other.scored[i].id);
  }
  EXPECT_NE(a, b);
}

// Outside the head every image has the same chance to be re-scored: over 2,000 seeds each of the
// 90 others is drawn about 2000 * 10 / 90 = 222 times; a chi-square statistic with 89 degrees of
// freedom stays below 140 (p < 0.001 for a fair draw to exceed it).
TEST(Candidates, TheSampleIsUniformOverTheRest) {
  const auto pool = images_with_ids(1, 100);
  const auto queue = descending_queue(100);
  std::map<Id, int> drawn;
  const int seeds = 2000;
  for (int seed = 0; seed < seeds; ++seed) {
    const CandidateSet set = select_candidates(pool, queue, 20, static_cast<std::uint64_t>(seed));
    for (std::size_t i = 10; i < set.scored.size(); ++i) ++drawn[set.scored[i].id];
  }
  ASSERT_EQ(drawn.size(), 90u) << "every image outside the head was drawn at some point";
  const double expected = seeds * 10.0 / 90.0;
  double chi2 = 0;
  for (const auto& [id, count] : drawn) {
    EXPECT_LE(id, 90) << "the head (91..100) is never part of the sample";
    chi2 += (count - expected) * (count - expected) / expected;
  }
  EXPECT_LT(chi2, 140);
}

TEST(Candidates, RoundsScoreTheWholePoolEveryFewModels) {
  EXPECT_EQ(round_candidate_limit(1), kRoundCandidates);
  EXPECT_EQ(round_candidate_limit(2), kRoundCandidates);
  EXPECT_EQ(round_candidate_limit(kFullScoreEvery), 0);
  EXPECT_EQ(round_candidate_limit(kFullScoreEvery + 1), kRoundCandidates);
  EXPECT_EQ(round_candidate_limit(2 * kFullScoreEvery), 0);
}

}  // namespace
}  // namespace boxloop::loop
