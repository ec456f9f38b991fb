// Effort per labeler and per round from hand-made label events.
#include "loop/state/effort.h"

#include <gtest/gtest.h>

namespace boxloop::loop {
namespace {

class EffortTest : public ::testing::Test {
 protected:
  // A save of `image` by `labeler` in the round of `model`, with its box origins and seconds.
  LabelEvent save(Id image, const std::string& labeler, std::optional<Id> model,
                  std::optional<double> seconds, int drawn, int accepted, int adjusted,
                  ImageStatus status = ImageStatus::kLabeled) {
    LabelEvent e;
    e.id = ++next_id_;
    e.image_id = image;
    e.labeler = labeler;
    e.status = status;
    e.box_count = drawn + accepted + adjusted;
    e.effort.active_seconds = seconds;
    e.effort.drawn = drawn;
    e.effort.accepted = accepted;
    e.effort.adjusted = adjusted;
    e.model_id = model;
    return e;
  }

  Id next_id_ = 0;
};

TEST_F(EffortTest, SecondsPerImageAndBoxAndTheAcceptedShare) {
  const std::vector<LabelEvent> events{
      save(1, "ann", std::nullopt, 30, 3, 0, 0),  // before any model: all drawn
      save(2, "ann", 7, 10, 1, 2, 1),             // model 7's proposals, mostly kept
      save(3, "bob", 7, 20, 0, 3, 1),
  };
  const EffortTables t = effort_tables(events);

  ASSERT_EQ(t.per_labeler.size(), 2u);
  const LabelerEffort& ann = t.per_labeler[0];
  EXPECT_EQ(ann.labeler, "ann");
  EXPECT_EQ(ann.figures.images, 2);
  EXPECT_EQ(ann.figures.boxes, 7);
  EXPECT_DOUBLE_EQ(ann.figures.active_seconds, 40);
  EXPECT_DOUBLE_EQ(ann.figures.seconds_per_image().value(), 20);
  EXPECT_DOUBLE_EQ(ann.figures.seconds_per_box().value(), 40.0 / 7);
  EXPECT_DOUBLE_EQ(ann.figures.accepted_share().value(), 2.0 / 7);
  EXPECT_EQ(t.per_labeler[1].labeler, "bob");
  EXPECT_DOUBLE_EQ(t.per_labeler[1].figures.accepted_share().value(), 3.0 / 4);

  ASSERT_EQ(t.per_round.size(), 2u);
  EXPECT_FALSE(t.per_round[0].model_id) << "the saves before any model come first";
  EXPECT_EQ(t.per_round[0].figures.images, 1);
  EXPECT_DOUBLE_EQ(t.per_round[0].figures.seconds_per_box().value(), 10);
  EXPECT_EQ(t.per_round[0].figures.accepted_share(), 0.0);
  EXPECT_EQ(t.per_round[1].model_id, 7);
  EXPECT_EQ(t.per_round[1].figures.images, 2);
  EXPECT_EQ(t.per_round[1].figures.boxes, 8);
  EXPECT_DOUBLE_EQ(t.per_round[1].figures.seconds_per_image().value(), 15);
  EXPECT_DOUBLE_EQ(t.per_round[1].figures.seconds_per_box().value(), 30.0 / 8);
  EXPECT_DOUBLE_EQ(t.per_round[1].figures.accepted_share().value(), 5.0 / 8);
}

TEST_F(EffortTest, ReSavesAndSkipsCostTimeButCountTheImageOnceAsLastSaved) {
  const std::vector<LabelEvent> events{
      save(1, "ann", 3, 20, 2, 0, 0),
      save(1, "ann", 3, 5, 1, 2, 0),  // back to fix it: now three boxes, two kept proposals
      save(2, "ann", 3, 8, 0, 0, 0, ImageStatus::kSkipped),
  };
  const EffortFigures f = effort_tables(events).per_labeler.at(0).figures;
  EXPECT_EQ(f.images, 1);
  EXPECT_EQ(f.boxes, 3);
  EXPECT_EQ(f.accepted, 2);
  EXPECT_DOUBLE_EQ(f.active_seconds, 33);
  EXPECT_DOUBLE_EQ(f.seconds_per_image().value(), 33);
  EXPECT_DOUBLE_EQ(f.seconds_per_box().value(), 11);
}

TEST_F(EffortTest, SavesWithoutMeasuredTimeAreLeftOutAndEmptyRatiosAreNull) {
  const std::vector<LabelEvent> events{
      save(1, "script", std::nullopt, std::nullopt, 5, 0, 0),
      save(2, "ann", 4, 6, 0, 0, 0),  // an image with nothing on it
  };
  const EffortTables t = effort_tables(events);
  ASSERT_EQ(t.per_labeler.size(), 1u);
  EXPECT_EQ(t.per_labeler[0].labeler, "ann");
  const EffortFigures& f = t.per_labeler[0].figures;
  EXPECT_EQ(f.images, 1);
  EXPECT_DOUBLE_EQ(f.seconds_per_image().value(), 6);
  EXPECT_FALSE(f.seconds_per_box());
  EXPECT_FALSE(f.accepted_share());

  const Json j = to_json(t);
  ASSERT_EQ(j["per_labeler"].size(), 1u);
  const Json& row = j["per_labeler"][0];
  EXPECT_EQ(row["labeler"], "ann");
  EXPECT_EQ(row["images"], 1);
  EXPECT_EQ(row["boxes"], 0);
  EXPECT_EQ(row["active_seconds"], 6.0);
  EXPECT_EQ(row["seconds_per_image"], 6.0);
  EXPECT_TRUE(row["seconds_per_box"].is_null());
  EXPECT_TRUE(row["accepted_share"].is_null());
  ASSERT_EQ(j["per_round"].size(), 1u);
  EXPECT_EQ(j["per_round"][0]["model_id"], 4);
  EXPECT_FALSE(j["per_round"][0].contains("labeler"));

  const Json none = to_json(effort_tables({}));
  EXPECT_TRUE(none["per_labeler"].empty());
  EXPECT_TRUE(none["per_round"].empty());
}

}  // namespace
}  // namespace boxloop::loop
