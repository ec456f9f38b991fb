// The simulation report's statistics and plot on hand-made numbers (no training): t-intervals,
// interpolation at equal boxes, paired differences against random, savings, the SVG's shape.
#include "loop/simulation_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <pugixml.hpp>
#include <stdexcept>
#include <tuple>

#include "core/error.h"
#include "loop/simulation_plot.h"

namespace boxloop::loop {
namespace {

RunResult run(const std::string& strategy, std::uint64_t seed,
              const std::vector<std::tuple<int, int, double>>& points) {
  RunResult r{strategy, seed, "abc", {}};
  for (const auto& [images, boxes, map50] : points) {
    RoundResult p;
    p.images = images;
    p.boxes = boxes;
    p.map50 = map50;
    p.map = map50 / 2;
    r.rounds.push_back(p);
  }
  return r;
}

// Two seeds of random and of a strategy "lc" that picks crowded images; "flat" never learns.
std::vector<RunResult> hand_made_runs() {
  return {run("random", 1, {{20, 40, 0.2}, {40, 80, 0.4}, {60, 120, 0.5}}),
          run("lc", 1, {{20, 40, 0.2}, {40, 100, 0.45}, {60, 160, 0.6}}),
          run("flat", 1, {{20, 40, 0.1}, {40, 80, 0.1}, {60, 120, 0.1}}),
          run("random", 2, {{20, 40, 0.3}, {40, 80, 0.45}, {60, 120, 0.55}}),
          run("lc", 2, {{20, 40, 0.3}, {40, 60, 0.5}, {60, 100, 0.6}}),
          run("flat", 2, {{20, 40, 0.1}, {40, 80, 0.1}, {60, 120, 0.1}})};
}

const StrategySummary& find(const SimulationSummary& s, const std::string& name) {
  for (const StrategySummary& st : s.strategies) {
    if (st.strategy == name) return st;
  }
  throw std::runtime_error("no strategy " + name);
}

TEST(SimulationReport, StudentTQuantilesMatchTheTables) {
  // Two-sided 95 % critical values from the standard t table.
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.3027, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.2622, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0423, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 100000), 1.9600, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.95, 4), 2.1318, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.025, 4), -2.7764, 1e-4);
}

TEST(SimulationReport, MeanIntervalIsTheStudentTIntervalAndNeedsTwoValues) {
  // 1..5: mean 3, sd sqrt(2.5), half-width t(0.975, 4) * sd / sqrt(5) = 2.776445 * 0.707107.
  const MeanInterval m = mean_interval({1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(m.mean, 3);
  EXPECT_EQ(m.n, 5);
  ASSERT_TRUE(m.low && m.high);
  EXPECT_NEAR(*m.low, 3 - 1.963243, 1e-5);
  EXPECT_NEAR(*m.high, 3 + 1.963243, 1e-5);

  const MeanInterval one = mean_interval({0.4});
  EXPECT_DOUBLE_EQ(one.mean, 0.4);
  EXPECT_EQ(one.n, 1);
  EXPECT_FALSE(one.low || one.high) << "one seed has no interval";
  EXPECT_EQ(mean_interval({}).n, 0);
}

TEST(SimulationReport, InterpolatesOnlyInsideTheCurve) {
  const std::vector<double> boxes{37, 82, 118}, map{0.3, 0.5, 0.52};
  EXPECT_NEAR(*interpolate(boxes, map, 60), 0.3 + 23.0 / 45 * 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(*interpolate(boxes, map, 37), 0.3);
  EXPECT_DOUBLE_EQ(*interpolate(boxes, map, 118), 0.52);
  EXPECT_FALSE(interpolate(boxes, map, 36.9)) << "no extrapolation below random's range";
  EXPECT_FALSE(interpolate(boxes, map, 118.1)) << "no extrapolation above it";
  // A round that added no boxes repeats x: the first point of the run counts.
  EXPECT_DOUBLE_EQ(*interpolate({10, 10, 20}, {0.1, 0.2, 0.4}, 10), 0.1);
  EXPECT_DOUBLE_EQ(*interpolate({10, 10, 20}, {0.1, 0.2, 0.4}, 15), 0.3);
}

TEST(SimulationReport, FirstReachInterpolatesTheCrossing) {
  const std::vector<double> x{20, 40, 60}, y{0.2, 0.4, 0.5};
  EXPECT_DOUBLE_EQ(*first_reach(x, y, 0.45), 50);
  EXPECT_DOUBLE_EQ(*first_reach(x, y, 0.1), 20);
  EXPECT_FALSE(first_reach(x, y, 0.6));
  // A dip after the first crossing does not move it.
  EXPECT_DOUBLE_EQ(*first_reach({20, 40, 60}, {0.2, 0.6, 0.3}, 0.4), 30);
}

TEST(SimulationReport, PairsAgainstRandomAtEqualImagesAndAtEqualBoxes) {
  const SimulationSummary s = summarise(hand_made_runs());
  ASSERT_EQ(s.strategies.size(), 3u);
  EXPECT_EQ(s.strategies[0].strategy, "random");
  EXPECT_FALSE(s.strategies[0].equal_boxes) << "random is not compared with itself";

  const StrategySummary& lc = find(s, "lc");
  EXPECT_EQ(lc.seeds, (std::vector<std::uint64_t>{1, 2}));
  ASSERT_EQ(lc.rounds.size(), 3u);
  EXPECT_DOUBLE_EQ(lc.rounds[1].boxes.mean, 80);
  EXPECT_DOUBLE_EQ(lc.rounds[2].map50.mean, 0.6);

  // Equal images: rounds paired by position; seed 1 +0.05 then +0.10, seed 2 +0.05 then +0.05.
  const PairedComparison& images = *lc.equal_images;
  ASSERT_EQ(images.rounds.size(), 3u);
  EXPECT_NEAR(images.rounds[2].delta.mean, 0.075, 1e-12);
  EXPECT_EQ(images.rounds[2].won, 2);
  EXPECT_NEAR(images.overall.mean, (0.075 + 0.05) / 2, 1e-12);
  EXPECT_EQ(images.won, 2);

  // Equal boxes: seed 1 at 100 boxes meets random's 0.45 (between 80 and 120 boxes): +0; at 160
  // boxes it is outside random's range and left out. Seed 2 at 60 boxes: random 0.375, +0.125;
  // at 100: random 0.5, +0.1.
  const PairedComparison& boxes = *lc.equal_boxes;
  ASSERT_EQ(boxes.rounds.size(), 3u);
  EXPECT_NEAR(boxes.rounds[1].delta.mean, 0.0625, 1e-12);
  EXPECT_EQ(boxes.rounds[1].won, 1);
  EXPECT_EQ(boxes.rounds[2].delta.n, 1) << "seed 1's last round lies beyond random's boxes";
  EXPECT_NEAR(boxes.rounds[2].delta.mean, 0.1, 1e-12);
  EXPECT_NEAR(boxes.overall.mean, (0.0 + 0.1125) / 2, 1e-12);
  EXPECT_EQ(boxes.overall.n, 2);
  EXPECT_EQ(boxes.won, 1);
  // Two seeds: the interval is +- t(0.975, 1) * sd / sqrt(2).
  const double half = 12.7062 * std::abs(0.1125 - 0.0) / std::sqrt(2.0) / std::sqrt(2.0);
  EXPECT_NEAR(*boxes.overall.high - boxes.overall.mean, half, 1e-3);
}

TEST(SimulationReport, SavingsIsTheShareOfRandomsBoxesToReachItsFinalMap) {
  const SimulationSummary s = summarise(hand_made_runs());
  const Savings& v = *find(s, "lc").savings;
  EXPECT_NEAR(v.target_map50, 0.525, 1e-12);
  EXPECT_DOUBLE_EQ(v.random_boxes, 120);
  // Mean curve (40, 0.25) (80, 0.475) (130, 0.6): reaches 0.525 at 100 boxes, 48 images.
  EXPECT_NEAR(*v.boxes_share, 100.0 / 120, 1e-12);
  EXPECT_NEAR(*v.images_share, 48.0 / 60, 1e-12);
  // Per seed: seed 1 reaches 0.5 at 120 boxes (100 %), seed 2 reaches 0.55 at 80 (67 %).
  ASSERT_EQ(v.per_seed.size(), 2u);
  EXPECT_NEAR(*v.per_seed[0].boxes_share, 1.0, 1e-12);
  EXPECT_NEAR(*v.per_seed[1].boxes_share, 80.0 / 120, 1e-12);
  EXPECT_EQ(v.seed_boxes_share.n, 2);
  EXPECT_NEAR(v.seed_boxes_share.mean, (1.0 + 80.0 / 120) / 2, 1e-12);

  const Savings& flat = *find(s, "flat").savings;
  EXPECT_FALSE(flat.boxes_share) << "never reaches random's final mAP";
  EXPECT_FALSE(flat.images_share);
  EXPECT_FALSE(flat.per_seed[0].boxes_share);
  EXPECT_EQ(flat.seed_boxes_share.n, 0);

  const Json j = to_json(s);
  const Json& flat_json = j["strategies"][2];
  EXPECT_EQ(flat_json["strategy"], "flat");
  EXPECT_TRUE(flat_json["savings"]["boxes_share"].is_null()) << "written as not reached";
  EXPECT_EQ(j["strategies"][1]["vs_random"]["equal_boxes"]["won"], 1);
  EXPECT_TRUE(j["strategies"][0]["rounds"][0]["map50"].contains("low"));
  EXPECT_FALSE(j["strategies"][0].contains("vs_random"));
}

TEST(SimulationReport, RunsRoundTripThroughJsonAndAMalformedRunIsCorrupt) {
  const RunResult r = hand_made_runs()[1];
  const RunResult back = run_from_json(to_json(r));
  EXPECT_EQ(back.strategy, r.strategy);
  EXPECT_EQ(back.seed, r.seed);
  EXPECT_EQ(back.commit, "abc");
  ASSERT_EQ(back.rounds.size(), r.rounds.size());
  EXPECT_EQ(back.rounds[1].boxes, 100);
  EXPECT_DOUBLE_EQ(back.rounds[1].map50, 0.45);
  Json broken = to_json(r);
  broken["rounds"][0].erase("boxes");
  EXPECT_THROW(run_from_json(broken), Error);
}

TEST(SimulationPlot, IsWellFormedSvgWithOneSeriesPerStrategyInBothPanels) {
  std::vector<RunResult> runs = hand_made_runs();
  runs.push_back(run("a&b<c>", 1, {{20, 40, 0.2}, {40, 70, 0.3}, {60, 110, 0.55}}));
  const SimulationSummary s = summarise(runs);
  const std::string svg = simulation_svg(s, "test: 20 % split & 5 seeds");

  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_string(svg.c_str());
  ASSERT_TRUE(parsed) << parsed.description();
  const pugi::xml_node root = doc.child("svg");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://www.w3.org/2000/svg");

  std::vector<std::string> axes;
  for (const pugi::xml_node panel : root.children("g")) {
    if (std::string(panel.attribute("class").value()) != "panel") continue;
    axes.push_back(panel.attribute("data-axis").value());
    std::vector<std::string> names;
    for (const pugi::xml_node series : panel.children("g")) {
      if (std::string(series.attribute("class").value()) != "series") continue;
      names.push_back(series.attribute("data-strategy").value());
      const pugi::xml_node line = series.find_child_by_attribute("polyline", "class", "line");
      ASSERT_TRUE(line);
      // One point per round: three "x,y" pairs.
      const std::string points = line.attribute("points").value();
      EXPECT_EQ(std::count(points.begin(), points.end(), ','), 3) << points;
      const bool banded = series.find_child_by_attribute("path", "class", "band");
      EXPECT_EQ(banded, names.back() != "a&b<c>") << "a band needs two seeds";
    }
    EXPECT_EQ(names, (std::vector<std::string>{"random", "lc", "flat", "a&b<c>"}));
  }
  EXPECT_EQ(axes, (std::vector<std::string>{"images", "boxes"}));
  EXPECT_NE(svg.find("20 % split &amp; 5 seeds"), std::string::npos);
}

}  // namespace
}  // namespace boxloop::loop
