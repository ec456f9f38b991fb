// The effort axis of a real (tiny) simulation: the oracle's actions and seconds per round, the cost
// model recorded in the report, and the effort figures in its summary. Trains tiny models.
#include <gtest/gtest.h>

#include "common/synth_project.h"
#include "loop/simulate.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::make_synth_project;
using boxloop::testing::TempDir;

TEST(SimulateEffort, EveryRoundCountsTheOraclesActionsAndTheirSeconds) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", {"nine", "king"}, 16);
  SimulationOptions o;
  o.strategies = {"random", "least_confidence"};
  o.seeds = {3};
  o.start = 4;
  o.step = 3;
  o.rounds = 2;
  o.train_overrides = {{"steps", 4}, {"batch", 4}, {"input_size", 64}};
  o.test_fraction = 0.25;
  o.work_dir = dir.path() / "work";
  o.costs.draw = 10;
  o.cost_source = "given";
  const Json report = simulate(*source, o);

  EXPECT_EQ(report["options"]["costs"], to_json(o.costs));
  EXPECT_EQ(report["options"]["cost_source"], "given");
  ASSERT_EQ(report["runs"].size(), 2u);
  for (const RunResult& run : report_runs(report)) {
    ASSERT_EQ(run.rounds.size(), 2u);
    for (const RoundResult& r : run.rounds) {
      ASSERT_TRUE(r.effort);
      // Every box is drawn, accepted or adjusted; without proposals each would be drawn.
      EXPECT_EQ(r.effort->actions.boxes(), r.boxes);
      EXPECT_DOUBLE_EQ(r.effort->seconds_drawn, r.boxes * 10.0);
      EXPECT_DOUBLE_EQ(r.effort->seconds, effort_seconds(r.effort->actions, o.costs));
    }
    // No model before the first round: its images are drawn box by box.
    const RoundResult& first = run.rounds[0];
    EXPECT_EQ(first.effort->actions, (OracleActions{first.boxes, 0, 0, 0}));
    EXPECT_GE(run.rounds[1].effort->seconds, first.effort->seconds) << "cumulative";
  }
  const Json& summary = report["summary"]["strategies"];
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_TRUE(summary[0].contains("effort_savings")) << "random with proposals against without";
  EXPECT_TRUE(summary[1].contains("effort_savings"));
  EXPECT_TRUE(summary[1]["vs_random"].contains("equal_effort"));
  EXPECT_TRUE(summary[1]["rounds"][1].contains("effort_seconds"));
}

}  // namespace
}  // namespace boxloop::loop
