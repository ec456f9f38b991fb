#include "active/halting.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
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

// 23 values: with n = 23 the quantile k/11 sits exactly on value 2k, so every step below is
// checkable by hand. Wide gaps (0.2) at the bottom, 0.02 steps from 0.6 to 0.92 at the top.
std::vector<double> hand_case() {
  std::vector<double> v = {0.0, 0.05, 0.2, 0.25, 0.4, 0.45};
  for (int k = 0; k <= 16; ++k) v.push_back(0.6 + 0.02 * k);
  return v;
}

TEST(HaltingReport, HandComputedCase) {
  const HaltingReport r = halting_report(hand_case());
  EXPECT_EQ(r.size, 23);
  EXPECT_DOUBLE_EQ(r.min_uncertainty, 0.0);
  EXPECT_NEAR(r.max_uncertainty, 0.92, 1e-12);
  // Normalised (/ 0.92) quantiles 0, .217, .435, .652, .696, ..., .957: the three lower gaps are
  // 0.2 / 0.92 = .217, every gap from .652 up is 0.02 / 0.92 = .022 < 0.1, so edges 3..10 merge
  // onto .652. Bins: {0, .05} -> 0, {.2, .25} -> 1, {.4, .45} -> 2, the other 17 -> 10.
  EXPECT_THAT(r.edges, ElementsAre(0.0, DoubleNear(0.2 / 0.92, 1e-9), DoubleNear(0.4 / 0.92, 1e-9),
                                   DoubleNear(0.6 / 0.92, 1e-9), 1.0));
  // Flat part: bin means .025 (x2), .225 (x2), .425 (x2), .76 (x17). In a 10-bin histogram over
  // .025...76 they fall in bins 0, 2, 5 and 9: far from uniform (L1 1.28), and so are the prefixes
  // {.025, .225, .425} (bins 0, 4, 9: L1 1.4) and {.025, .225} (L1 1.6). Bin 0 alone is one value:
  // flat up to .05, and no gap of 0.1 inside it (.05 / .92 = .054).
  EXPECT_NEAR(r.flat_until, 0.05 / 0.92, 1e-9);
  // Red: the plugin's red (below .25, the last image of bins 0..1) reaches further than the flat
  // part, so red_below is the position of .2. Green from the first image of bin 10 (.6).
  EXPECT_NEAR(r.red_below, 0.2 / 0.92, 1e-9);
  EXPECT_NEAR(r.green_from, 0.6 / 0.92, 1e-9);

  const std::vector<double> v = hand_case();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Zone expected = i < 3 ? Zone::kRed : i < 6 ? Zone::kOrange : Zone::kGreen;
    EXPECT_EQ(r.zone(v[i]), expected) << "value " << v[i];
  }
}

TEST(HaltingReport, WorksOnTheNormalisedScaleWhateverTheRawRange) {
  // The hand case squeezed into 0.3..0.392: every raw gap is under 0.1, which merged everything
  // into one bin when the plugin's tolerance applied to raw values. Normalised, nothing changes.
  std::vector<double> squeezed = hand_case();
  for (double& u : squeezed) u = 0.3 + 0.1 * u;
  const HaltingReport wide = halting_report(hand_case());
  const HaltingReport narrow = halting_report(squeezed);
  ASSERT_EQ(narrow.edges.size(), wide.edges.size());
  for (std::size_t i = 0; i < wide.edges.size(); ++i) {
    EXPECT_NEAR(narrow.edges[i], wide.edges[i], 1e-9) << i;
  }
  EXPECT_NEAR(narrow.flat_until, wide.flat_until, 1e-9);
  EXPECT_NEAR(narrow.red_below, wide.red_below, 1e-9);
  EXPECT_NEAR(narrow.green_from, wide.green_from, 1e-9);
}

TEST(HaltingReport, EvenlySpreadQueueIsAllFlatAndAllRed) {
  // (a) 0, 1/110, ..., 1: quantile gaps of 1/11 < 0.1 merge every edge onto the minimum, one bin,
  // one mean: flat throughout, so no better than random: retrain. Nothing is green.
  std::vector<double> v;
  for (int i = 0; i <= 110; ++i) v.push_back(0.4 + 0.05 * i / 110.0);  // any raw range
  const HaltingReport r = halting_report(v);
  EXPECT_THAT(r.edges, ElementsAre(0.0, 1.0));
  EXPECT_DOUBLE_EQ(r.flat_until, 1.0);
  EXPECT_DOUBLE_EQ(r.red_below, 1.0);
  EXPECT_DOUBLE_EQ(r.green_from, 1.0);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 111);
  EXPECT_EQ(zones.green, 0);
  EXPECT_EQ(to_json(r, v.back())["current"]["zone"], "red");
}

TEST(HaltingReport, DenseLowClusterUnderASpreadTailIsRedBelowGreenAbove) {
  // (b) 90 values near 0.05, 10 over 0.3..0.6. Normalised, the cluster spans under 0.02, so
  // quantiles 0..9 merge (bin 9); quantile 10 is the first tail value, 0.46 up: bin 10 is the tail.
  // The plugin's flatness test called the whole queue flat (90% in one histogram bin is within
  // 0.2 of a uniform over that bin); ours finds bin 9 alone flat.
  const std::vector<double> v = cluster_and_tail(90, 10);
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.edges.size(), 3u);
  EXPECT_LT(r.flat_until, 0.05);
  EXPECT_DOUBLE_EQ(r.red_below, r.flat_until);
  EXPECT_NEAR(r.green_from, r.normalise(0.3), 1e-12);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(r.zone(v[i]), i < 90 ? Zone::kRed : Zone::kGreen) << "image " << i;
  }
}

TEST(HaltingReport, ATailSmallerThanTheTopQuantileBinStillStandsApart) {
  // 95 + 5: quantile 10 lies inside the cluster, so all of it, tail included, is one bin (flat by
  // the bin-mean test). The first gap of a tenth of the scale ends the flat part below the tail;
  // the ten-most-uncertain green rule then reaches into the cluster, where red wins.
  const std::vector<double> v = cluster_and_tail(95, 5);
  const HaltingReport r = halting_report(v);
  EXPECT_THAT(r.edges, ElementsAre(0.0, 1.0));
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 95);
  EXPECT_EQ(zones.orange, 0);
  EXPECT_EQ(zones.green, 5);
}

TEST(HaltingReport, TailOverlappingTheClusterBinIsOrange) {
  // 85 + 15: quantile 10 (image 90) is the tail's sixth value; images 85..89 share bin 9 with the
  // cluster. The gap rule keeps them out of red; not in bin 10 either, they are orange.
  const std::vector<double> v = cluster_and_tail(85, 15);
  const HaltingReport r = halting_report(v);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 85);
  EXPECT_EQ(zones.orange, 5);
  EXPECT_EQ(zones.green, 10);
}

TEST(HaltingReport, BetaLikeSkewHasARedBulkAndAGreenTop) {
  // (c) Beta(1, 4), 100 values (quantile 1 - (1 - p)^(1/4)), normalised over .001...734: the
  // quantile gaps grow upwards; q9 - q8 = .093 merges, q10 - q9 = .137 does not. So quantiles
  // 0..9 are one run (bin 9: images 0..89, one mean, flat, no gap of 0.1 inside) and bin 10 is
  // images 90..99.
  const std::vector<double> v =
      from_quantiles(100, [](double p) { return 1 - std::pow(1 - p, 0.25); });
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.edges.size(), 3u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(r.zone(v[i]), i < 90 ? Zone::kRed : Zone::kGreen) << "image " << i;
  }
}

TEST(HaltingReport, CubicSkewHasRedOrangeAndGreen) {
  // (i / 99)^3: quantiles 0..7 merge (gaps under 0.1), 8, 9 and 10 stand alone (edges .39, .55,
  // .75). Bin 7 (images 0..71) is one mean, flat; with bin 8's mean it is two values, not even.
  // Red 0..71, green bin 10 (images 90..99), orange the 18 between.
  const std::vector<double> v = cubes(100);
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.edges.size(), 5u);
  EXPECT_NEAR(r.flat_until, std::pow(71 / 99.0, 3), 1e-9);
  EXPECT_NEAR(r.green_from, std::pow(90 / 99.0, 3), 1e-9);
  const ZoneCounts zones = count_zones(r, v);
  EXPECT_EQ(zones.red, 72);
  EXPECT_EQ(zones.orange, 18);
  EXPECT_EQ(zones.green, 10);
}

TEST(HaltingReport, BimodalQueueIsRedInTheLowModeGreenInTheHigh) {
  // (d) 60 values over 0.07..0.13, 40 over 0.65..0.75. Quantile k/11 is image 9k: q0..q6 in the
  // low mode merge; q7 (image 63, the high mode's fourth) opens bin 10, q8..q10 merge onto it.
  // Images 60..62 are in bin 6 with the low mode but 0.1 of the scale above it: orange.
  std::vector<double> v;
  for (int i = 0; i < 60; ++i) v.push_back(0.07 + 0.06 * (i + 0.5) / 60);
  for (int i = 0; i < 40; ++i) v.push_back(0.65 + 0.1 * (i + 0.5) / 40);
  const HaltingReport r = halting_report(v);
  for (int i = 0; i < 100; ++i) {
    const Zone expected = i < 60 ? Zone::kRed : i < 63 ? Zone::kOrange : Zone::kGreen;
    EXPECT_EQ(r.zone(v[i]), expected) << "image " << i;
  }
}

TEST(HaltingReport, RealisticLeastConfidenceQueueIsNotOneBin) {
  // (e) The card photos' queue: least confidence from 0.002 to 0.59, dense near 0 with a thin
  // tail (here a truncated exponential, rate 5, 150 images). On the raw scale every quantile gap
  // is under 0.1: the plugin merged it all into one bin, flat and green at once. Normalised, the
  // top eleventh (q10 - q9 = 0.13) stands apart: bin 10 is images 136..149 (q10 = image 135.45).
  std::vector<double> v =
      from_quantiles(150, [](double p) { return -std::log(1 - p * (1 - std::exp(-5.0))) / 5.0; });
  const double lo = v.front(), hi = v.back();
  for (double& u : v) u = 0.002 + 0.588 * (u - lo) / (hi - lo);
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.edges.size(), 3u);
  EXPECT_LT(r.flat_until, 1.0);
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(r.zone(v[i]), i < 136 ? Zone::kRed : Zone::kGreen) << "image " << i;
  }
}

TEST(HaltingReport, AtLeastTenImagesAreGreenUnlessRed) {
  // cubes(60): bin 10 holds images 55..59 only, so green widens to the top 10 (50..59).
  const HaltingReport r = halting_report(cubes(60));
  EXPECT_NEAR(r.green_from, std::pow(50 / 59.0, 3), 1e-9);
  EXPECT_EQ(count_zones(r, cubes(60)).green, 10);
  // A queue of ten or fewer is green but for its flat bottom: here 0.1 alone, as the next image
  // is 0.125 of the scale above it.
  const std::vector<double> small = {0.1, 0.5, 0.9, 0.2};
  const HaltingReport s = halting_report(small);
  EXPECT_EQ(s.zone(0.1), Zone::kRed);
  for (double u : {0.2, 0.5, 0.9}) EXPECT_EQ(s.zone(u), Zone::kGreen) << u;
}

TEST(HaltingReport, ZonesAreOrderedAndGreenNeverInsideRed) {
  const std::vector<std::vector<double>> queues = {
      hand_case(),
      cubes(100),
      cubes(60),
      cluster_and_tail(90, 10),
      cluster_and_tail(95, 5),
      from_quantiles(100, [](double p) { return std::sqrt(p); })};
  for (const std::vector<double>& v : queues) {
    const HaltingReport r = halting_report(v);
    EXPECT_LE(r.red_below, r.green_from);
    EXPECT_LE(r.flat_until, r.red_below);
    Zone previous = Zone::kRed;
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (double u : sorted) {  // red, then orange, then green, never back
      const Zone zone = r.zone(u);
      EXPECT_GE(static_cast<int>(previous), static_cast<int>(zone)) << u;
      previous = zone;
    }
    EXPECT_EQ(r.zone(sorted.front()), Zone::kRed);  // the lowest bin is always flat
    if (r.red_below < 1) {
      EXPECT_EQ(r.zone(sorted.back()), Zone::kGreen);
    }
  }
}

TEST(HaltingReport, EmptyAndConstantQueuesAreRedEverywhere) {
  const HaltingReport empty = halting_report({});
  EXPECT_EQ(empty.size, 0);
  EXPECT_DOUBLE_EQ(empty.flat_until, 0.0);
  EXPECT_TRUE(empty.edges.empty());
  for (double u : {0.0, 0.5, 1.0}) EXPECT_EQ(empty.zone(u), Zone::kRed);

  const HaltingReport constant = halting_report(std::vector<double>(50, 1.0));
  EXPECT_EQ(constant.size, 50);
  EXPECT_DOUBLE_EQ(constant.flat_until, 1.0);
  EXPECT_DOUBLE_EQ(constant.min_uncertainty, 1.0);
  EXPECT_DOUBLE_EQ(constant.max_uncertainty, 1.0);
  for (double u : {0.0, 1.0, 2.0}) EXPECT_EQ(constant.zone(u), Zone::kRed);
}

TEST(HaltingReport, LeavesOutNonFiniteValues) {
  std::vector<double> v = hand_case();
  v.push_back(std::numeric_limits<double>::quiet_NaN());
  v.push_back(std::numeric_limits<double>::infinity());
  const HaltingReport r = halting_report(v);
  EXPECT_EQ(r.size, 23);
  EXPECT_NEAR(r.green_from, 0.6 / 0.92, 1e-9);
}

TEST(HaltingReport, NormaliseClampsToTheScale) {
  const HaltingReport r = halting_report(hand_case());
  EXPECT_DOUBLE_EQ(r.normalise(-1.0), 0.0);
  EXPECT_DOUBLE_EQ(r.normalise(5.0), 1.0);
  EXPECT_NEAR(r.normalise(0.46), 0.5, 1e-12);
}

TEST(HaltingJson, HasThePageShape) {
  const HaltingReport r = halting_report(hand_case());
  const Json j = to_json(r);
  for (const char* key : {"size", "flat_until", "red_below", "green_from", "min", "max", "edges"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("current"));
  EXPECT_EQ(j["size"], 23);
  EXPECT_NEAR(j["green_from"].get<double>(), r.green_from, 1e-12);
  EXPECT_EQ(j["edges"].size(), r.edges.size());

  const Json with_current = to_json(r, 0.25);
  const Json& current = with_current["current"];
  EXPECT_DOUBLE_EQ(current["uncertainty"].get<double>(), 0.25);
  EXPECT_NEAR(current["position"].get<double>(), 0.25 / 0.92, 1e-12);
  EXPECT_EQ(current["zone"], "orange");
  EXPECT_EQ(to_json(r, 0.9)["current"]["zone"], "green");
  EXPECT_EQ(to_json(r, 0.2)["current"]["zone"], "red");  // red_below itself is red
}

}  // namespace
}  // namespace boxloop::active
