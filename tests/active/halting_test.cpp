#include "active/halting.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace boxloop::active {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

struct ZoneCounts {
  int red = 0, orange = 0, green = 0;
};

ZoneCounts count_zones(const HaltingReport& report, const std::vector<double>& values) {
  ZoneCounts counts;
  for (double u : values) {
    switch (report.zone(u)) {
      case Zone::kRed:
        ++counts.red;
        break;
      case Zone::kOrange:
        ++counts.orange;
        break;
      case Zone::kGreen:
        ++counts.green;
        break;
    }
  }
  return counts;
}

// n values drawn evenly from a distribution through its quantile function: a smooth, seedless
// sample of that shape.
std::vector<double> from_quantiles(int n, const std::function<double(double)>& quantile) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(quantile((i + 0.5) / n));
  return v;
}

// n values evenly spaced over [lo, hi]: (i + 0.5) / n of the way. Evenly spaced values from x_0
// have a gain of exactly (x_i - x_0) / 2 (the mean of an arithmetic run is its midpoint).
std::vector<double> evenly(int n, double lo, double hi) {
  return from_quantiles(n, [&](double p) { return lo + p * (hi - lo); });
}

std::vector<double> cubes(int n) {  // (i/(n-1))^3: most near 0, a long thin tail of unsure ones
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(std::pow(i / (n - 1.0), 3));
  return v;
}

// `dense` values near 0.05 (noise of +-0.005, spread by the golden ratio so no two are equal),
// then `tail` values evenly over 0.3..0.6: a model sure of most images, unsure of a few.
std::vector<double> cluster_and_tail(int dense, int tail) {
  std::vector<double> v;
  for (int i = 0; i < dense; ++i) v.push_back(0.05 + 0.01 * (std::fmod(i * 0.618034, 1.0) - 0.5));
  for (int i = 0; i < tail; ++i) v.push_back(0.3 + 0.3 * i / (tail - 1.0));
  return v;
}

// 15 values, every step checkable by hand: a flat run 0 .. 0.16 in steps of 0.02, then
// 0.4, 0.5, 0.6, 0.7, 0.8, 1.
std::vector<double> hand_case() {
  return {0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0};
}

TEST(HaltingReport, HandComputedCase) {
  const std::vector<double> v = hand_case();
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.size, 15);
  EXPECT_DOUBLE_EQ(r.min_uncertainty, 0.0);
  EXPECT_DOUBLE_EQ(r.max_uncertainty, 1.0);
  // Spread 1, largest 1: tolerance max(0.1, 0.02) = 0.1.
  EXPECT_NEAR(r.tolerance, 0.1, 1e-12);
  // Gains (value - mean of the values at or below it): the evenly spaced run 0 .. 0.16 has gains
  // 0, 0.01, ..., 0.08 (half the distance to 0), all under 0.1: flat up to 0.16, the 9th of 15.
  // 0.4 is 0.4 - 1.12 / 10 = 0.288 above a random pick, and the gains grow from there (0.353,
  // 0.415, 0.475, 0.534, 0.685), all at least 2 x 0.1: green from 0.4, the 10th of 15.
  EXPECT_NEAR(r.flat_until, 9 / 15.0, 1e-12);
  EXPECT_NEAR(r.green_from, 9 / 15.0, 1e-12);
  // Red: the ten most uncertain (0.10 and up) are never red, so red is 0 .. 0.08; 0.10 .. 0.16
  // are flat but orange.
  EXPECT_NEAR(r.red_below, 5 / 15.0, 1e-12);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Zone expected = i < 5 ? Zone::kRed : i < 9 ? Zone::kOrange : Zone::kGreen;
    EXPECT_EQ(r.zone(v[i]), expected) << "value " << v[i];
  }
  // Quantile k/11 sits at index 14k/11: 0.025, 0.051, 0.076, 0.102, 0.127, 0.153, 0.378, 0.518,
  // 0.645, 0.773. Kept where 0.1 above the last kept: 0.102 (from 0), 0.378, 0.518, 0.645, 0.773.
  EXPECT_THAT(r.edges, ElementsAre(0.0, DoubleNear(4 / 11.0, 1e-12), DoubleNear(7 / 11.0, 1e-12),
                                   DoubleNear(8 / 11.0, 1e-12), DoubleNear(9 / 11.0, 1e-12),
                                   DoubleNear(10 / 11.0, 1e-12), 1.0));
}

TEST(HaltingReport, PositionsAreSharesOfTheQueue) {
  const HaltingReport r = halting_report(hand_case());
  // Each of the 15 images is a 1/15 slice; its position is the middle of its slice.
  const std::vector<double> v = hand_case();
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(r.normalise(v[i]), (2.0 * static_cast<double>(i) + 1) / 30, 1e-12) << v[i];
  }
  EXPECT_NEAR(r.normalise(0.45), 20 / 30.0, 1e-12);  // halfway between 0.4 and 0.5
  EXPECT_DOUBLE_EQ(r.normalise(-1.0), 0.0);
  EXPECT_DOUBLE_EQ(r.normalise(5.0), 1.0);
  // Ties share the middle of their run: three images at 1 among five are the top three fifths.
  const HaltingReport tied = halting_report({0.2, 1.0, 0.5, 1.0, 1.0});
  EXPECT_NEAR(tied.normalise(1.0), 0.7, 1e-12);
  EXPECT_NEAR(tied.normalise(0.2), 0.1, 1e-12);
}

TEST(HaltingReport, FreshEvenlySpreadQueueShowsItsTopGreen) {
  // The old rule merged the quantiles of an evenly spread queue into one bin and coloured all of
  // it red, its most uncertain image included. Evenly spaced, the gain is half the distance to
  // the bottom: red under a tenth of the spread (gain < 0.099 here: images 0..19), green from a
  // fifth (images 40 and up).
  const std::vector<double> v = evenly(100, 0.0, 1.0);
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.zone(v.back()), Zone::kGreen);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 20);
  EXPECT_EQ(zones.orange, 20);
  EXPECT_EQ(zones.green, 60);
  EXPECT_EQ(to_json(r, v.back())["current"]["zone"], "green");

  // The old test's range, 0.4..0.45: the floor (0.02 x 0.45 = 0.009) is above a tenth of the
  // spread (0.005) and widens red (gain 0.00025 i < 0.009: 36 images) and orange, but the top
  // is still clearly above a random pick.
  const std::vector<double> narrow = evenly(100, 0.40, 0.45);
  const HaltingReport n = halting_report(narrow);
  EXPECT_NEAR(n.tolerance, 0.02 * narrow.back(), 1e-12);
  EXPECT_EQ(n.zone(narrow.back()), Zone::kGreen);
  const ZoneCounts narrow_zones = count_zones(n, narrow);
  EXPECT_EQ(narrow_zones.red, 36);
  EXPECT_EQ(narrow_zones.green, 28);
}

TEST(HaltingReport, AQueueWhoseValuesAreAllEqualIsRed) {
  const std::vector<double> v(50, 0.7);
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.size, 50);
  EXPECT_DOUBLE_EQ(r.flat_until, 1.0);
  EXPECT_DOUBLE_EQ(r.red_below, 1.0);
  EXPECT_DOUBLE_EQ(r.green_from, 1.0);
  EXPECT_DOUBLE_EQ(r.min_uncertainty, 0.7);
  EXPECT_DOUBLE_EQ(r.max_uncertainty, 0.7);
  EXPECT_DOUBLE_EQ(r.normalise(0.7), 0.5);  // one run: the middle of the bar
  for (double u : {0.0, 0.7, 2.0}) EXPECT_EQ(r.zone(u), Zone::kRed) << u;

  const HaltingReport empty = halting_report({});
  EXPECT_EQ(empty.size, 0);
  EXPECT_DOUBLE_EQ(empty.flat_until, 0.0);
  EXPECT_DOUBLE_EQ(empty.red_below, 1.0);
  EXPECT_TRUE(empty.edges.empty());
  for (double u : {0.0, 0.5, 1.0}) EXPECT_EQ(empty.zone(u), Zone::kRed);
}

TEST(HaltingReport, DenseFlatBottomUnderAClearTopIsRedBelowGreenOnTop) {
  // 90 values near 0.05 (within 0.01), 10 over 0.3..0.6. Tolerance a tenth of ~0.555: the cluster's
  // gains are under 0.01, red; the tail's lowest, 0.3, beats the cluster's mean by 0.25, green.
  const std::vector<double> v = cluster_and_tail(90, 10);
  const HaltingReport r = halting_report(v);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(r.zone(v[i]), i < 90 ? Zone::kRed : Zone::kGreen) << "image " << i;
  }
  EXPECT_NEAR(r.red_below, 0.9, 1e-12);
  EXPECT_NEAR(r.flat_until, 0.9, 1e-12);
  EXPECT_NEAR(r.green_from, 0.9, 1e-12);
  // A wider tail, 15: the same, per image (the old rule's quantile bin put five tail images in
  // with the cluster).
  const std::vector<double> wide = cluster_and_tail(85, 15);
  const ZoneCounts w = count_zones(halting_report(wide), wide);
  EXPECT_EQ(w.red, 85);
  EXPECT_EQ(w.orange, 0);
  EXPECT_EQ(w.green, 15);
}

TEST(HaltingReport, TheTenMostUncertainAreNeverRed) {
  // A tail of 5: the ten most uncertain images include the cluster's top five. They are flat,
  // but a labeler meets them right after a retrain: orange, not "retrain".
  const std::vector<double> v = cluster_and_tail(95, 5);
  const HaltingReport r = halting_report(v);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 90);
  EXPECT_EQ(zones.orange, 5);
  EXPECT_EQ(zones.green, 5);
  EXPECT_NEAR(r.flat_until, 0.95, 1e-12);
  EXPECT_NEAR(r.red_below, 0.90, 1e-12);

  // A queue of ten or fewer: red is only its least uncertain value (gain 0).
  const std::vector<double> small = {0.1, 0.5, 0.9, 0.2};
  const HaltingReport s = halting_report(small);
  EXPECT_EQ(s.zone(0.1), Zone::kRed);
  for (double u : {0.2, 0.5, 0.9}) EXPECT_NE(s.zone(u), Zone::kRed) << u;
  EXPECT_EQ(s.zone(0.9), Zone::kGreen);
}

TEST(HaltingReport, AQueueFlatFromItsTopIsOrangeThereNotGreen) {
  // An early model that finds nothing on 95 images (they score 1) and something on 5: following
  // the order only skips the 5, a gain of 1 - 95.4 / 100 = 0.046 over a random pick, under the
  // tolerance of 0.1. Flat throughout, nothing green; the ties at 1 hold the top ten, so orange.
  std::vector<double> v(95, 1.0);
  for (double u : {0.0, 0.04, 0.08, 0.12, 0.16}) v.push_back(u);
  const HaltingReport r = halting_report(v);
  EXPECT_DOUBLE_EQ(r.flat_until, 1.0);
  EXPECT_DOUBLE_EQ(r.green_from, 1.0);
  EXPECT_NEAR(r.red_below, 0.05, 1e-12);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 5);
  EXPECT_EQ(zones.orange, 95);
  EXPECT_EQ(zones.green, 0);
  EXPECT_EQ(to_json(r)["green_from"], 1.0);
}

TEST(HaltingReport, TheFloorFlattensANarrowBandFarFromZero) {
  // 100 values evenly over 0.44..0.45: a tenth of the spread is 0.001, the floor 0.02 x 0.45 =
  // 0.009; the largest gain is 0.005. Flat from the top: red but for the top ten (orange).
  const std::vector<double> band = evenly(100, 0.44, 0.45);
  const HaltingReport r = halting_report(band);
  EXPECT_NEAR(r.tolerance, 0.02 * band.back(), 1e-12);
  EXPECT_DOUBLE_EQ(r.flat_until, 1.0);
  const ZoneCounts zones = count_zones(r, band);
  EXPECT_EQ(zones.red, 90);
  EXPECT_EQ(zones.orange, 10);
  EXPECT_EQ(zones.green, 0);
  // The same steps from zero (0..0.01) are a tenfold range of uncertainty, not a sliver: the
  // floor (0.0002) is under a tenth of the spread and the zones are those of 0..1.
  const std::vector<double> low = evenly(100, 0.0, 0.01);
  const ZoneCounts low_zones = count_zones(halting_report(low), low);
  EXPECT_EQ(low_zones.red, 20);
  EXPECT_EQ(low_zones.orange, 20);
  EXPECT_EQ(low_zones.green, 60);
}

TEST(HaltingReport, SumAggregatedValuesGiveTheSameZonesAsOnAZeroToOneScale) {
  // least_confidence:sum on made-up photos: 1 to 40 boxes each, each box's least confidence
  // between 0.02 and 0.6, summed (up to ~20). The queue stores the sums divided by the largest;
  // the zones must not depend on which of the two the report sees.
  std::mt19937_64 rng(13);
  std::uniform_int_distribution<int> boxes(1, 40);
  std::uniform_real_distribution<double> confidence(0.02, 0.6);
  std::vector<double> sums;
  for (int i = 0; i < 300; ++i) {
    const int k = i % 10 == 0 ? boxes(rng) : 1 + boxes(rng) / 8;  // a few crowded photos
    double sum = 0;
    for (int b = 0; b < k; ++b) sum += confidence(rng);
    sums.push_back(sum);
  }
  const double largest = *std::max_element(sums.begin(), sums.end());
  ASSERT_GT(largest, 5.0);
  std::vector<double> scaled;
  for (double s : sums) scaled.push_back(s / largest);

  const HaltingReport raw = halting_report(sums);
  const HaltingReport unit = halting_report(scaled);
  EXPECT_NEAR(raw.tolerance, unit.tolerance * largest, 1e-9);
  EXPECT_NEAR(raw.flat_until, unit.flat_until, 1e-12);
  EXPECT_NEAR(raw.red_below, unit.red_below, 1e-12);
  EXPECT_NEAR(raw.green_from, unit.green_from, 1e-12);
  EXPECT_EQ(raw.edges, unit.edges);
  for (std::size_t i = 0; i < sums.size(); ++i) {
    EXPECT_EQ(raw.zone(sums[i]), unit.zone(scaled[i])) << "image " << i;
    EXPECT_NEAR(raw.normalise(sums[i]), unit.normalise(scaled[i]), 1e-12) << "image " << i;
  }
  const ZoneCounts zones = count_zones(unit, scaled);  // not a degenerate pass: all three show
  EXPECT_GT(zones.red, 0);
  EXPECT_GT(zones.orange, 0);
  EXPECT_GT(zones.green, 0);
}

TEST(HaltingReport, CubicSkewFollowsTheClosedForm) {
  // x_i = (i/99)^3: the mean of x_0..x_i is i^2 (i+1) / (4 * 99^3), so the gain is
  // i^2 (3i - 1) / (4 * 99^3). Tolerance 0.1: under it up to i = 50 (372500 < 388120 <
  // 395352), at least 0.2 from i = 64 (746172 < 776239 <= 782336).
  const std::vector<double> v = cubes(100);
  const HaltingReport r = halting_report(v);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 51);
  EXPECT_EQ(zones.orange, 13);
  EXPECT_EQ(zones.green, 36);
}

TEST(HaltingReport, BimodalQueueIsRedInTheLowModeGreenInTheHigh) {
  // 60 values over 0.07..0.13, 40 over 0.65..0.75. Tolerance a tenth of 0.678; the low mode's
  // gains are at most half its width, 0.03: red. The high mode's lowest beats the mean below it
  // (0.109) by 0.54: green, and so does everything above it.
  std::vector<double> v = evenly(60, 0.07, 0.13);
  for (double u : evenly(40, 0.65, 0.75)) v.push_back(u);
  const HaltingReport r = halting_report(v);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(r.zone(v[i]), i < 60 ? Zone::kRed : Zone::kGreen) << "image " << i;
  }
}

TEST(HaltingReport, RealisticLeastConfidenceQueueShowsEveryZone) {
  // The card photos' queue: least confidence from 0.002 to 0.59, dense near 0 with a thin tail
  // (a truncated exponential, rate 5, 150 images). The old rule merged it into one bin.
  std::vector<double> v =
      from_quantiles(150, [](double p) { return -std::log(1 - p * (1 - std::exp(-5.0))) / 5.0; });
  const double lo = v.front(), hi = v.back();
  for (double& u : v) u = 0.002 + 0.588 * (u - lo) / (hi - lo);
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.zone(v.front()), Zone::kRed);
  EXPECT_EQ(r.zone(v.back()), Zone::kGreen);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_GT(zones.red, 15);
  EXPECT_GT(zones.orange, 15);
  EXPECT_GT(zones.green, 15);
  EXPECT_GT(r.edges.size(), 3u);
}

// The rule of halting.h written out directly, one value at a time, O(n^2), for comparison.
struct Reference {
  std::vector<double> x;  // sorted
  double tolerance = 0;
  bool all_red = false;
  double highest_red = 0, lowest_green = 0;
  bool has_green = false;
  double highest_flat = 0;

  explicit Reference(std::vector<double> values) : x(std::move(values)) {
    std::sort(x.begin(), x.end());
    const std::size_t n = x.size();
    all_red = n == 0 || x.front() == x.back();
    if (all_red) return;
    tolerance = std::max(0.1 * (x.back() - x.front()),
                         0.02 * std::max(std::abs(x.front()), std::abs(x.back())));
    const auto gain = [&](double v) {
      double sum = 0;
      int count = 0;
      for (double w : x) {
        if (w <= v) {
          sum += w;
          ++count;
        }
      }
      return v - sum / count;
    };
    const double top_ten_lowest = x[n > 10 ? n - 10 : 0];
    highest_flat = highest_red = x.front();
    for (double v : x) {
      if (gain(v) >= tolerance) continue;
      highest_flat = std::max(highest_flat, v);
      if (v < top_ten_lowest || v == x.front()) highest_red = std::max(highest_red, v);
    }
    for (auto it = x.rbegin(); it != x.rend() && gain(*it) >= 2 * tolerance; ++it) {
      has_green = true;
      lowest_green = *it;
    }
  }
  Zone zone(double v) const {
    if (all_red || v <= highest_red) return Zone::kRed;
    return has_green && v >= lowest_green ? Zone::kGreen : Zone::kOrange;
  }
  double share_at_or_below(double v) const {
    return static_cast<double>(std::upper_bound(x.begin(), x.end(), v) - x.begin()) /
           static_cast<double>(x.size());
  }
  double share_below(double v) const {
    return static_cast<double>(std::lower_bound(x.begin(), x.end(), v) - x.begin()) /
           static_cast<double>(x.size());
  }
};

TEST(HaltingReport, MatchesTheRuleWrittenOutOnVariedQueues) {
  std::mt19937_64 rng(2024);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = std::uniform_int_distribution<int>(1, 60)(rng);
    const int shape = trial % 4;
    const double scale = std::exp(std::uniform_real_distribution<double>(-4, 4)(rng));
    std::vector<double> v;
    for (int i = 0; i < n; ++i) {
      const double p = std::uniform_real_distribution<double>(0, 1)(rng);
      double u = p;                                                 // uniform
      if (shape == 1) u = std::round(p * 4) / 4;                    // few levels, many ties
      if (shape == 2) u = p < 0.8 ? 0.05 + 0.01 * p : 0.5 + p / 2;  // cluster and tail
      if (shape == 3) u = 0.4 + 0.05 * p;                           // narrow band: the floor binds
      v.push_back(u * scale);
    }
    const HaltingReport r = halting_report(v);
    const Reference ref(v);
    for (double u : v) {
      ASSERT_EQ(r.zone(u), ref.zone(u)) << "trial " << trial << ", value " << u;
      ASSERT_NEAR(r.normalise(u), (ref.share_below(u) + ref.share_at_or_below(u)) / 2, 1e-12);
    }
    if (ref.all_red) continue;
    ASSERT_NEAR(r.tolerance, ref.tolerance, 1e-12 * scale) << trial;
    ASSERT_NEAR(r.flat_until, ref.share_at_or_below(ref.highest_flat), 1e-12) << trial;
    ASSERT_NEAR(r.red_below, ref.share_at_or_below(ref.highest_red), 1e-12) << trial;
    ASSERT_NEAR(r.green_from, ref.has_green ? ref.share_below(ref.lowest_green) : 1.0, 1e-12)
        << trial;
  }
}

TEST(HaltingReport, ZonesAreOrderedAndTheTopIsNeverRed) {
  const std::vector<std::vector<double>> queues = {
      hand_case(),
      cubes(100),
      cubes(60),
      cluster_and_tail(90, 10),
      cluster_and_tail(95, 5),
      evenly(100, 0.44, 0.45),
      from_quantiles(100, [](double p) { return std::sqrt(p); }),
      from_quantiles(100, [](double p) { return 1 - std::pow(1 - p, 0.25); })};
  for (const std::vector<double>& v : queues) {
    const HaltingReport r = halting_report(v);
    EXPECT_LE(r.red_below, r.green_from);
    EXPECT_LE(r.red_below, r.flat_until);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    Zone previous = Zone::kRed;
    for (double u : sorted) {  // red, then orange, then green, never back
      const Zone zone = r.zone(u);
      EXPECT_GE(static_cast<int>(previous), static_cast<int>(zone)) << u;
      previous = zone;
      // The page colours by position: the same zone either way.
      const double p = r.normalise(u);
      const Zone by_position = p <= r.red_below    ? Zone::kRed
                               : p >= r.green_from ? Zone::kGreen
                                                   : Zone::kOrange;
      EXPECT_EQ(by_position, zone) << u;
    }
    EXPECT_EQ(r.zone(sorted.front()), Zone::kRed);  // the bottom's gain is 0
    for (std::size_t i = sorted.size() - 10; i < sorted.size(); ++i) {
      EXPECT_NE(r.zone(sorted[i]), Zone::kRed) << sorted[i];
    }
  }
}

TEST(HaltingReport, LeavesOutNonFiniteValues) {
  std::vector<double> v = hand_case();
  v.push_back(std::numeric_limits<double>::quiet_NaN());
  v.push_back(std::numeric_limits<double>::infinity());
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.size, 15);
  EXPECT_NEAR(r.green_from, 9 / 15.0, 1e-12);
  EXPECT_DOUBLE_EQ(r.max_uncertainty, 1.0);
  EXPECT_EQ(r.zone(std::numeric_limits<double>::quiet_NaN()), Zone::kRed);
}

TEST(HaltingJson, HasThePageShape) {
  const HaltingReport r = halting_report(hand_case());
  const Json j = to_json(r);
  for (const char* key : {"size", "flat_until", "red_below", "green_from", "min", "max", "edges"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("current"));
  EXPECT_EQ(j["size"], 15);
  EXPECT_NEAR(j["green_from"].get<double>(), 9 / 15.0, 1e-12);
  EXPECT_NEAR(j["red_below"].get<double>(), 5 / 15.0, 1e-12);
  EXPECT_DOUBLE_EQ(j["max"].get<double>(), 1.0);
  EXPECT_EQ(j["edges"].size(), r.edges.size());

  const Json with_current = to_json(r, 0.12);
  const Json& current = with_current["current"];
  EXPECT_DOUBLE_EQ(current["uncertainty"].get<double>(), 0.12);
  EXPECT_NEAR(current["position"].get<double>(), 13 / 30.0, 1e-12);
  EXPECT_EQ(current["zone"], "orange");
  EXPECT_EQ(to_json(r, 0.9)["current"]["zone"], "green");
  EXPECT_EQ(to_json(r, 0.08)["current"]["zone"], "red");  // the highest red value
}

}  // namespace
}  // namespace boxloop::active
