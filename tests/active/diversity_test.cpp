#include "active/diversity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "core/error.h"

namespace boxloop::active {
namespace {

using ::testing::ElementsAre;

// n points scattered within `radius` of (cx, cy), from a seeded generator.
FeatureVectors blob(float cx, float cy, int n, float radius, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> offset(-radius, radius);
  FeatureVectors out;
  for (int i = 0; i < n; ++i) out.push_back({cx + offset(rng), cy + offset(rng)});
  return out;
}

void append(FeatureVectors& to, const FeatureVectors& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// Which of the blobs (given by their centres) a point lies in.
int blob_of(const std::vector<float>& p, const FeatureVectors& centres) {
  for (std::size_t c = 0; c < centres.size(); ++c) {
    if (std::hypot(p[0] - centres[c][0], p[1] - centres[c][1]) < 2) return static_cast<int>(c);
  }
  return -1;
}

TEST(L2Normalised, ScalesToUnitLengthAndZeroesDegenerateVectors) {
  const auto out = l2_normalised({{3, 4}, {0, 0}, {NAN, 1}});
  EXPECT_FLOAT_EQ(out[0][0], 0.6f);
  EXPECT_FLOAT_EQ(out[0][1], 0.8f);
  EXPECT_THAT(out[1], ElementsAre(0.0f, 0.0f));
  EXPECT_THAT(out[2], ElementsAre(0.0f, 0.0f));
}

TEST(KCenterGreedy, PicksTheFarApartPointsFirst) {
  // A square's corners, each with two near-duplicates next to it; index 0 is a corner.
  const FeatureVectors points = {{0, 0},    {0.1f, 0},  {10, 0},    {0, 10},
                                 {10, 10},  {10.1f, 0}, {0, 10.1f}, {9.9f, 10},
                                 {0, 0.1f}, {10, 9.9f}, {9.9f, 0},  {0.1f, 10}};
  const auto order = k_center_greedy(points, {}, points.size(), 0);
  ASSERT_EQ(order.size(), points.size());
  EXPECT_EQ(std::set<std::size_t>(order.begin(), order.end()).size(), points.size());  // no repeat
  EXPECT_EQ(order[0], 0u);
  EXPECT_EQ(order[1], 4u);  // the opposite corner, the farthest from (0, 0)
  // One point of every corner before any second one (which point of a corner depends on its
  // exact offsets).
  std::set<int> corners;
  for (std::size_t i = 0; i < 4; ++i) {
    corners.insert((points[order[i]][0] > 5 ? 1 : 0) + (points[order[i]][1] > 5 ? 2 : 0));
  }
  EXPECT_EQ(corners.size(), 4u);
}

TEST(KCenterGreedy, StartsFromTheCoveredCentres) {
  const FeatureVectors points = {{0.2f, 0}, {5, 0}, {9, 0}, {0, 0.3f}};
  // (0, 0) is covered: the first pick is the farthest from it, then the farthest from both.
  EXPECT_THAT(k_center_greedy(points, {{0, 0}}, 2), ElementsAre(2u, 1u));
  // Without covered centres it opens with `first`.
  EXPECT_THAT(k_center_greedy(points, {}, 2, 3), ElementsAre(3u, 2u));
}

TEST(KCenterGreedy, ClampsTheCountAndRejectsBadInput) {
  const FeatureVectors points = {{0, 0}, {1, 1}};
  EXPECT_EQ(k_center_greedy(points, {}, 5).size(), 2u);
  EXPECT_TRUE(k_center_greedy({}, {}, 5).empty());
  EXPECT_THROW(k_center_greedy(points, {{1, 2, 3}}, 1), Error);
  EXPECT_THROW(k_center_greedy({{0, 0}, {1}}, {}, 1), Error);
  EXPECT_THROW(k_center_greedy(points, {}, 1, 2), Error);
}

TEST(Typicality, IsHighInDenseRegionsAndLowForOutliers) {
  FeatureVectors points = blob(0, 0, 30, 0.5f, 1);
  points.push_back({6, 6});
  const auto typical = typicality(points);
  ASSERT_EQ(typical.size(), points.size());
  for (std::size_t i = 0; i + 1 < points.size(); ++i) EXPECT_GT(typical[i], typical.back());
  EXPECT_TRUE(std::isinf(typicality({{1, 1}, {1, 1}})[0]));  // an exact duplicate
  EXPECT_EQ(typicality({{1, 1}})[0], 0.0);
}

TEST(TypicalSpread, PicksOnePointPerWellSeparatedCluster) {
  const FeatureVectors centres = {{0, 0}, {20, 0}, {0, 20}, {20, 20}};
  FeatureVectors points;
  // Unequal sizes, interleaved by construction order: the picks must come largest cluster first.
  append(points, blob(0, 0, 40, 1, 11));
  append(points, blob(20, 0, 10, 1, 12));
  append(points, blob(0, 20, 25, 1, 13));
  append(points, blob(20, 20, 5, 1, 14));
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto picks = typical_spread(points, 4, seed);
    ASSERT_EQ(picks.size(), 4u);
    std::vector<int> blobs;
    for (std::size_t i : picks) blobs.push_back(blob_of(points[i], centres));
    EXPECT_THAT(blobs, ElementsAre(0, 2, 1, 3)) << "seed " << seed;
  }
}

TEST(TypicalSpread, PrefersTheDenseCentreOverAnOutlier) {
  // One cluster: a dense core around (0, 0), a sparse ring and an outlier at (3, 3).
  FeatureVectors points = {{3, 3}};
  append(points, blob(0, 0, 15, 0.2f, 21));
  for (int i = 0; i < 8; ++i) {
    const double a = i * 0.785398;
    points.push_back({static_cast<float>(2 * std::cos(a)), static_cast<float>(2 * std::sin(a))});
  }
  const auto picks = typical_spread(points, 1, 7);
  ASSERT_EQ(picks.size(), 1u);
  EXPECT_LT(std::hypot(points[picks[0]][0], points[picks[0]][1]), 0.3);
}

TEST(TypicalSpread, IsSeededAndDistinct) {
  FeatureVectors points = blob(0, 0, 200, 10, 31);  // no structure: the seed matters
  const auto a = typical_spread(points, 12, 1);
  EXPECT_EQ(typical_spread(points, 12, 1), a);
  EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 12u);
  // A different seed may tie on a few picks, not all.
  EXPECT_NE(typical_spread(points, 12, 2), a);
}

TEST(TypicalSpread, HandlesDuplicatesSmallPoolsAndBadInput) {
  // Three distinct points, many copies: k-means finds at most 3 clusters, the rest is made up.
  FeatureVectors points;
  for (int i = 0; i < 5; ++i) append(points, {{0, 0}, {5, 5}, {9, 0}});
  const auto picks = typical_spread(points, 6, 3);
  EXPECT_EQ(picks.size(), 6u);
  EXPECT_EQ(std::set<std::size_t>(picks.begin(), picks.end()).size(), 6u);
  EXPECT_EQ(typical_spread({{1, 2}, {3, 4}}, 10, 1).size(), 2u);
  EXPECT_TRUE(typical_spread({}, 3, 1).empty());
  EXPECT_TRUE(typical_spread({{1, 2}}, 0, 1).empty());
  EXPECT_THROW(typical_spread({{1, 2}}, -1, 1), Error);
  EXPECT_THROW(typical_spread({{1, 2}, {1}}, 1, 1), Error);
}

}  // namespace
}  // namespace boxloop::active
