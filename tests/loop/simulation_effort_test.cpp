// The effort axis of a simulation report on hand-made runs (no training): effort savings against
// random without proposals, pairing at equal effort, runs from before effort was simulated, the
// JSON of a round with effort, and the plot's effort panel.
#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <tuple>

#include "core/error.h"
#include "loop/simulation_plot.h"
#include "loop/simulation_report.h"

namespace boxloop::loop {
namespace {

// images, boxes, mAP@0.5, effort seconds with proposals; all drawn: boxes x 7 s.
using Point = std::tuple<int, int, double, double>;

RunResult run(const std::string& strategy, std::uint64_t seed, const std::vector<Point>& points,
              bool effort = true) {
  RunResult r{strategy, seed, "abc", {}};
  for (const auto& [images, boxes, map50, seconds] : points) {
    RoundResult p;
    p.images = images;
    p.boxes = boxes;
    p.map50 = map50;
    p.map = map50 / 2;
    if (effort) {
      SimulatedEffort e;
      e.seconds = seconds;
      e.seconds_drawn = boxes * 7.0;
      e.actions = OracleActions{boxes / 2, boxes - boxes / 2, 0, 3};
      p.effort = e;
    }
    r.rounds.push_back(p);
  }
  return r;
}

// Random without proposals ends at 120 boxes x 7 s = 840 s and mAP 0.5. "lc" with proposals
// reaches 0.5 at 420 s: half of it.
std::vector<RunResult> effort_runs(bool lc_effort = true) {
  const std::vector<Point> random{{20, 40, 0.2, 280}, {40, 80, 0.4, 500}, {60, 120, 0.5, 700}};
  const std::vector<Point> lc{{20, 40, 0.2, 280}, {40, 80, 0.5, 420}, {60, 120, 0.6, 560}};
  return {run("random", 1, random), run("lc", 1, lc, lc_effort), run("random", 2, random),
          run("lc", 2, lc, lc_effort)};
}

TEST(SimulationEffort, ReachingRandomsFinalMapWithHalfItsEffortIsAShareOfHalf) {
  const SimulationSummary s = summarise(effort_runs());
  ASSERT_EQ(s.strategies.size(), 2u);
  const StrategySummary& lc = s.strategies[1];
  ASSERT_TRUE(lc.effort_savings);
  EXPECT_DOUBLE_EQ(lc.effort_savings->target_map50, 0.5);
  EXPECT_DOUBLE_EQ(lc.effort_savings->random_seconds_drawn, 840);
  EXPECT_DOUBLE_EQ(lc.effort_savings->random_seconds, 700);
  ASSERT_TRUE(lc.effort_savings->share);
  EXPECT_DOUBLE_EQ(*lc.effort_savings->share, 0.5);
  EXPECT_DOUBLE_EQ(*lc.effort_savings->seconds, 420);
  ASSERT_EQ(lc.effort_savings->per_seed.size(), 2u);
  EXPECT_DOUBLE_EQ(*lc.effort_savings->per_seed[1].share, 0.5);
  EXPECT_EQ(lc.effort_savings->seed_share.n, 2);
  EXPECT_DOUBLE_EQ(lc.effort_savings->seed_share.mean, 0.5);
  ASSERT_TRUE(lc.rounds[1].effort_seconds);
  EXPECT_DOUBLE_EQ(lc.rounds[1].effort_seconds->mean, 420);
  EXPECT_DOUBLE_EQ(lc.rounds[1].effort_seconds_drawn->mean, 560);

  // Random with proposals against random without: 700 of 840 s.
  const StrategySummary& random = s.strategies[0];
  ASSERT_TRUE(random.effort_savings);
  EXPECT_DOUBLE_EQ(*random.effort_savings->share, 700.0 / 840);
  EXPECT_FALSE(random.equal_effort) << "random is not paired against itself";

  // At equal effort lc is ahead of random with proposals on both seeds: at 420 s random is at
  // 0.2 + 140/220 x 0.2.
  ASSERT_TRUE(lc.equal_effort);
  EXPECT_EQ(lc.equal_effort->won, 2);
  ASSERT_GE(lc.equal_effort->rounds.size(), 2u);
  EXPECT_NEAR(lc.equal_effort->rounds[1].delta.mean, 0.5 - (0.2 + 140.0 / 220 * 0.2), 1e-12);
  EXPECT_DOUBLE_EQ(lc.equal_effort->rounds[1].at, 420);

  const Json j = to_json(s);
  EXPECT_DOUBLE_EQ(j["strategies"][1]["effort_savings"]["share"].get<double>(), 0.5);
  EXPECT_TRUE(j["strategies"][1]["vs_random"].contains("equal_effort"));
  EXPECT_TRUE(j["strategies"][1]["rounds"][0].contains("effort_seconds"));
}

TEST(SimulationEffort, NotReachingRandomsFinalMapGivesNoShare) {
  std::vector<RunResult> runs = effort_runs();
  runs.push_back(run("flat", 1, {{20, 40, 0.1, 280}, {40, 80, 0.1, 400}, {60, 120, 0.1, 500}}));
  const SimulationSummary s = summarise(runs);
  ASSERT_TRUE(s.strategies[2].effort_savings);
  EXPECT_FALSE(s.strategies[2].effort_savings->share);
  EXPECT_EQ(s.strategies[2].effort_savings->seed_share.n, 0);
  EXPECT_TRUE(to_json(s)["strategies"][2]["effort_savings"]["share"].is_null());
}

TEST(SimulationEffort, RunsWithoutEffortGiveNoEffortFigures) {
  // The strategy's runs predate the effort simulation: it has no effort figures, but keeps its
  // other ones; random keeps its own effort savings.
  const SimulationSummary s = summarise(effort_runs(false));
  const StrategySummary& lc = s.strategies[1];
  EXPECT_FALSE(lc.effort_savings);
  EXPECT_FALSE(lc.equal_effort);
  EXPECT_FALSE(lc.rounds[0].effort_seconds);
  EXPECT_TRUE(lc.savings);
  EXPECT_TRUE(s.strategies[0].effort_savings);

  // All runs old: no effort anywhere, in the JSON either.
  std::vector<RunResult> old;
  for (RunResult r : effort_runs()) {
    for (RoundResult& p : r.rounds) p.effort.reset();
    old.push_back(r);
  }
  const SimulationSummary none = summarise(old);
  for (const StrategySummary& st : none.strategies) {
    EXPECT_FALSE(st.effort_savings) << st.strategy;
    EXPECT_FALSE(st.equal_effort) << st.strategy;
  }
  const Json j = to_json(none);
  EXPECT_FALSE(j["strategies"][1].contains("effort_savings"));
  EXPECT_FALSE(j["strategies"][1]["vs_random"].contains("equal_effort"));
  EXPECT_FALSE(j["strategies"][1]["rounds"][0].contains("effort_seconds"));
}

TEST(SimulationEffort, ARoundWithEffortRoundTripsThroughJsonAndAnOldOneReadsWithout) {
  const RunResult r = effort_runs()[1];
  const Json j = to_json(r);
  EXPECT_DOUBLE_EQ(j["rounds"][1]["effort_seconds"].get<double>(), 420);
  EXPECT_DOUBLE_EQ(j["rounds"][1]["effort_seconds_drawn"].get<double>(), 560);
  EXPECT_EQ(j["rounds"][1]["actions"]["accepted"], 40);
  const RunResult back = run_from_json(j);
  ASSERT_EQ(back.rounds.size(), 3u);
  ASSERT_TRUE(back.rounds[1].effort);
  EXPECT_EQ(*back.rounds[1].effort, *r.rounds[1].effort);

  Json old = j;
  for (Json& round : old["rounds"]) {
    round.erase("effort_seconds");
    round.erase("effort_seconds_drawn");
    round.erase("actions");
  }
  EXPECT_FALSE(run_from_json(old).rounds[0].effort);

  Json broken = j;
  broken["rounds"][0]["actions"].erase("rejected");
  EXPECT_THROW(run_from_json(broken), Error);
  broken = j;
  broken["rounds"][0].erase("effort_seconds_drawn");
  EXPECT_THROW(run_from_json(broken), Error);
}

TEST(SimulationEffort, ThePlotGainsAnEffortPanelWithRandomWithoutProposalsAsReference) {
  const std::string svg = simulation_svg(summarise(effort_runs()), "");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(svg.c_str()));
  std::vector<std::string> axes;
  for (const pugi::xml_node panel : doc.child("svg").children("g")) {
    if (std::string(panel.attribute("class").value()) != "panel") continue;
    axes.push_back(panel.attribute("data-axis").value());
    if (axes.back() != "effort") continue;
    EXPECT_TRUE(panel.find_child_by_attribute("g", "class", "reference"));
    int series = 0;
    for (const pugi::xml_node g : panel.children("g")) {
      series += std::string(g.attribute("class").value()) == "series";
    }
    EXPECT_EQ(series, 2);
  }
  EXPECT_EQ(axes, (std::vector<std::string>{"images", "boxes", "effort"}));
  EXPECT_NE(svg.find("effort (labeler minutes)"), std::string::npos);
}

}  // namespace
}  // namespace boxloop::loop
