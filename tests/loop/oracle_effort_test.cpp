// The simulated labeler (loop/state/oracle_effort.h) on hand-made boxes: which proposals it
// accepts, adjusts and rejects, which boxes it draws, what that costs, and the cost model fitted
// on a project's own recorded effort.
#include "loop/state/oracle_effort.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace boxloop::loop {
namespace {

Annotation truth(Id category, Box box) {
  Annotation a;
  a.category_id = category;
  a.box = box;
  return a;
}

Proposal shown(Id category, Box box, double score) {
  Proposal p;
  p.category_id = category;
  p.box = box;
  p.score = score;
  return p;
}

OracleActions actions(int drawn, int accepted, int adjusted, int rejected) {
  return OracleActions{drawn, accepted, adjusted, rejected};
}

const Box kCard{100, 100, 100, 100};

TEST(OracleEffort, AnExactMatchIsAccepted) {
  EXPECT_EQ(oracle_actions({truth(1, kCard)}, {shown(1, kCard, 0.9)}), actions(0, 1, 0, 0));
}

TEST(OracleEffort, ALooseBoxIsAdjustedAndTooLooseOneRejected) {
  // 60 of 100 wide: IoU 0.6.
  EXPECT_EQ(oracle_actions({truth(1, kCard)}, {shown(1, Box{100, 100, 60, 100}, 0.9)}),
            actions(0, 0, 1, 0));
  // 70 wide: IoU 0.7, the accept bound itself.
  EXPECT_EQ(oracle_actions({truth(1, kCard)}, {shown(1, Box{100, 100, 70, 100}, 0.9)}),
            actions(0, 1, 0, 0));
  // 40 wide: IoU 0.4, no use: rejected, and the card drawn.
  EXPECT_EQ(oracle_actions({truth(1, kCard)}, {shown(1, Box{100, 100, 40, 100}, 0.9)}),
            actions(1, 0, 0, 1));
}

TEST(OracleEffort, TheWrongClassIsAdjusted) {
  EXPECT_EQ(oracle_actions({truth(1, kCard)}, {shown(2, kCard, 0.9)}), actions(0, 0, 1, 0));
}

TEST(OracleEffort, AFalsePositiveIsRejectedAndAMissedBoxDrawn) {
  const std::vector<Annotation> truths{truth(1, kCard), truth(1, Box{400, 100, 50, 80})};
  EXPECT_EQ(oracle_actions(truths, {shown(1, kCard, 0.8), shown(1, Box{0, 0, 30, 30}, 0.6)}),
            actions(1, 1, 0, 1));
}

TEST(OracleEffort, ProposalsAreMatchedGreedilyByScore) {
  // The more confident proposal is looked at first and takes the card as an adjustment, though
  // the other one fits it exactly: that one then matches nothing and is rejected.
  const std::vector<Proposal> two{shown(1, kCard, 0.3), shown(1, Box{100, 100, 60, 100}, 0.9)};
  EXPECT_EQ(oracle_actions({truth(1, kCard)}, two), actions(0, 0, 1, 1));
  // With a second card that it fits, it takes that one, and the other proposal the first card.
  EXPECT_EQ(oracle_actions({truth(1, kCard), truth(1, Box{100, 100, 60, 100})}, two),
            actions(0, 2, 0, 0));
}

TEST(OracleEffort, AnAcceptableMatchWinsOverACloserBoxOfAnotherClass) {
  // Two overlapping cards; the proposal of class 1 is closer to the class-2 card (IoU 0.96) but
  // fits the class-1 one well enough (0.85) to be accepted there.
  const std::vector<Annotation> truths{truth(1, kCard), truth(2, Box{110, 100, 100, 100})};
  EXPECT_EQ(oracle_actions(truths, {shown(1, Box{108, 100, 100, 100}, 0.9)}), actions(1, 1, 0, 0));
}

TEST(OracleEffort, EmptyInputs) {
  EXPECT_EQ(oracle_actions({}, {}), actions(0, 0, 0, 0));
  EXPECT_EQ(oracle_actions({truth(1, kCard), truth(2, kCard)}, {}), actions(2, 0, 0, 0));
  EXPECT_EQ(oracle_actions({}, {shown(1, kCard, 0.9), shown(2, kCard, 0.5)}), actions(0, 0, 0, 2));
}

TEST(OracleEffort, SecondsAreCountsTimesCosts) {
  const OracleActions a = actions(2, 3, 1, 4);
  EXPECT_EQ(a.boxes(), 6);
  const CostModel defaults;
  EXPECT_DOUBLE_EQ(defaults.draw, 7.0);
  EXPECT_DOUBLE_EQ(defaults.verify, 1.6);
  EXPECT_DOUBLE_EQ(effort_seconds(a, defaults), 2 * 7.0 + 3 * 1.6 + 5.1 + 4 * 2.1);
  EXPECT_DOUBLE_EQ(effort_seconds_drawn(a, defaults), 6 * 7.0);
  OracleActions sum = a;
  sum += actions(1, 0, 0, 0);
  EXPECT_EQ(sum, actions(3, 3, 1, 4));
}

TEST(OracleEffort, CostModelAndActionsRoundTripThroughJson) {
  const CostModel c{10, 2, 6, 3};
  EXPECT_EQ(cost_model_from_json(to_json(c)), c);
  const CostModel partial = cost_model_from_json(Json{{"draw", 12}});
  EXPECT_DOUBLE_EQ(partial.draw, 12);
  EXPECT_DOUBLE_EQ(partial.verify, 1.6);
  EXPECT_THROW(cost_model_from_json(Json{{"drow", 12}}), Error);
  EXPECT_THROW(cost_model_from_json(Json{{"draw", -1}}), Error);
  EXPECT_THROW(cost_model_from_json(Json{{"draw", "7"}}), Error);
  EXPECT_EQ(oracle_actions_from_json(to_json(actions(1, 2, 3, 4))), actions(1, 2, 3, 4));
  EXPECT_THROW(oracle_actions_from_json(Json{{"drawn", 1}}), Error);
}

LabelEvent save(std::optional<double> seconds, OracleActions a,
                ImageStatus status = ImageStatus::kLabeled) {
  LabelEvent e;
  e.status = status;
  e.effort.active_seconds = seconds;
  e.effort.drawn = a.drawn;
  e.effort.accepted = a.accepted;
  e.effort.adjusted = a.adjusted;
  e.effort.rejected = a.rejected;
  e.box_count = a.boxes();
  return e;
}

TEST(OracleEffort, MeasuredCostsComeFromSavesOfOneKindOfAction) {
  const std::vector<LabelEvent> events{
      save(20, actions(2, 0, 0, 0)),            // drawing only: 10 s a box...
      save(40, actions(2, 0, 0, 0)),            // ...and 20: 60 s over 4 boxes, 15 s a box
      save(6, actions(0, 3, 0, 0)),             // accepting only: 2 s a box
      save(30, actions(1, 2, 1, 0)),            // a mix: cannot be split, left out
      save(std::nullopt, actions(5, 0, 0, 0)),  // not measured
      save(100, actions(1, 0, 0, 0), ImageStatus::kSkipped)};  // a skip
  const MeasuredCost m = measured_cost_model(events);
  EXPECT_DOUBLE_EQ(m.costs.draw, 15);
  EXPECT_EQ(m.draw_saves, 2);
  EXPECT_DOUBLE_EQ(m.costs.verify, 2);
  EXPECT_EQ(m.verify_saves, 1);
  EXPECT_DOUBLE_EQ(m.costs.adjust, CostModel{}.adjust) << "nothing measured it: the default";
  EXPECT_EQ(m.adjust_saves, 0);
  EXPECT_EQ(m.reject_saves, 0);
  EXPECT_EQ(measured_cost_model({}).costs, CostModel{});
}

}  // namespace
}  // namespace boxloop::loop
