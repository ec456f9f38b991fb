// Proposals published with the queue, served only while an image is unlabeled; the effort a save
// records; the proposal threshold setting.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "store/settings.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

class ProposalsTest : public StoreTest {
 protected:
  Id add_model_record() { return store().add_model(model_of("fastestdet", "models/m.pt")).id; }

  Proposal proposal(const Image& image, const std::string& category, double x, double score) {
    Proposal p;
    p.image_id = image.id;
    p.category_id = category_id(category);
    p.box = Box{x, 10, 20, 30};
    p.score = score;
    return p;
  }
};

BOXLOOP_ON_EVERY_BACKEND(ProposalsTest);

TEST_P(ProposalsTest, PublishedWithTheQueueAndReplacedByTheNextModel) {
  const Image a = add_image(1), b = add_image(2);
  const Id first = add_model_record();
  store().replace_queue(
      first, "least_confidence", {QueueEntry{a.id, 0.9, 0}, QueueEntry{b.id, 0.1, 1}},
      {proposal(a, "nine", 1, 0.4), proposal(a, "ten", 2, 0.9), proposal(b, "jack", 3, 0.7)});
  EXPECT_EQ(store().queue_model(), first);

  const auto on_a = store().proposals(a.id);
  ASSERT_EQ(on_a.size(), 2u);
  EXPECT_EQ(on_a[0].category_id, category_id("ten"));  // highest score first
  EXPECT_DOUBLE_EQ(on_a[0].score, 0.9);
  EXPECT_EQ(on_a[0].box, (Box{2, 10, 20, 30}));
  EXPECT_EQ(on_a[0].model_id, first);
  EXPECT_EQ(on_a[1].category_id, category_id("nine"));
  // A minimum score filters.
  ASSERT_EQ(store().proposals(a.id, 0.5).size(), 1u);
  EXPECT_EQ(store().proposals(a.id, 0.95).size(), 0u);

  // The next model's queue takes its proposals with it; the old ones are gone.
  const Id second = add_model_record();
  store().replace_queue(second, "entropy", {QueueEntry{b.id, 0.5, 0}},
                        {proposal(b, "nine", 5, 0.6)});
  EXPECT_EQ(store().queue_model(), second);
  EXPECT_TRUE(store().proposals(a.id).empty());
  const auto on_b = store().proposals(b.id);
  ASSERT_EQ(on_b.size(), 1u);
  EXPECT_EQ(on_b[0].model_id, second);
  EXPECT_EQ(on_b[0].category_id, category_id("nine"));

  // A queue without a model has no proposals.
  store().replace_queue(std::nullopt, "random", {QueueEntry{b.id, 0, 0}});
  EXPECT_FALSE(store().queue_model());
  EXPECT_TRUE(store().proposals(b.id).empty());
}

TEST_P(ProposalsTest, ServedOnlyWhileTheImageIsUnlabeled) {
  const Image a = add_image(1), b = add_image(2);
  const Id model = add_model_record();
  store().replace_queue(model, "least_confidence",
                        {QueueEntry{a.id, 0.9, 0}, QueueEntry{b.id, 0.1, 1}},
                        {proposal(a, "nine", 1, 0.8), proposal(b, "ten", 1, 0.8)});
  store().save_labels(save_of(a, {box("nine", 1, 10, 20, 30)}));
  EXPECT_TRUE(store().proposals(a.id).empty()) << "a labeled image's boxes are the labeler's";
  LabelSave skip = save_of(b, {});
  skip.status = ImageStatus::kSkipped;
  store().save_labels(skip);
  EXPECT_TRUE(store().proposals(b.id).empty());
}

TEST_P(ProposalsTest, BadProposalsAreRefusedAndTheOldQueueStays) {
  const Image a = add_image(1);
  const Id model = add_model_record();
  store().replace_queue(model, "margin", {QueueEntry{a.id, 0.5, 0}}, {proposal(a, "nine", 1, 0.8)});

  // Proposals need a model.
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().replace_queue(std::nullopt, "random", {QueueEntry{a.id, 0, 0}},
                          {proposal(a, "ten", 1, 0.5)});
  });
  // At most kMaxProposalsPerImage per image.
  std::vector<Proposal> too_many;
  for (int i = 0; i <= kMaxProposalsPerImage; ++i) too_many.push_back(proposal(a, "ten", i, 0.5));
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().replace_queue(model, "margin", {QueueEntry{a.id, 0, 0}}, too_many);
  });
  // Scores in 0..1, boxes of positive size, known images and categories.
  expect_error(ErrorCode::kInvalidArgument,
               [&] { store().replace_queue(model, "margin", {}, {proposal(a, "ten", 1, 1.5)}); });
  Proposal flat = proposal(a, "ten", 1, 0.5);
  flat.box.h = 0;
  expect_error(ErrorCode::kInvalidArgument,
               [&] { store().replace_queue(model, "margin", {}, {flat}); });
  Proposal nowhere = proposal(a, "ten", 1, 0.5);
  nowhere.image_id = 999;
  expect_error(ErrorCode::kNotFound,
               [&] { store().replace_queue(model, "margin", {}, {nowhere}); });
  Proposal unknown = proposal(a, "ten", 1, 0.5);
  unknown.category_id = 999;
  expect_error(ErrorCode::kNotFound,
               [&] { store().replace_queue(model, "margin", {}, {unknown}); });

  ASSERT_EQ(store().proposals(a.id).size(), 1u);
  EXPECT_EQ(store().proposals(a.id)[0].category_id, category_id("nine"));
  EXPECT_EQ(store().queue().size(), 1u);
}

TEST_P(ProposalsTest, ASaveRecordsItsOriginsEffortAndRound) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  // Before any model: no round.
  LabelSave first = save_of(a, {box("nine", 1, 1, 5, 5)});
  first.active_seconds = 4.5;
  const LabelEvent before = store().save_labels(first);
  EXPECT_FALSE(before.model_id);

  const Id model = add_model_record();
  store().replace_queue(model, "margin", {QueueEntry{b.id, 0.5, 0}, QueueEntry{c.id, 0.4, 1}});
  Annotation accepted = box("ten", 1, 1, 5, 5);
  accepted.origin = BoxOrigin::kAccepted;
  accepted.source = BoxSource::kModel;
  accepted.score = 0.8;
  Annotation adjusted = box("jack", 10, 10, 5, 5);
  adjusted.origin = BoxOrigin::kAdjusted;
  LabelSave save = save_of(b, {accepted, accepted, adjusted, box("nine", 20, 20, 5, 5)});
  save.active_seconds = 12.25;
  save.rejected = 3;
  const LabelEvent event = store().save_labels(save);
  EXPECT_EQ(event.model_id, model);
  EXPECT_EQ(event.effort.drawn, 1);
  EXPECT_EQ(event.effort.accepted, 2);
  EXPECT_EQ(event.effort.adjusted, 1);
  EXPECT_EQ(event.effort.rejected, 3);
  ASSERT_TRUE(event.effort.active_seconds);
  EXPECT_DOUBLE_EQ(*event.effort.active_seconds, 12.25);

  // As stored.
  const LabelEvent stored = store().label_events(b.id).at(0);
  EXPECT_EQ(stored.model_id, model);
  EXPECT_EQ(stored.effort.accepted, 2);
  EXPECT_EQ(stored.effort.rejected, 3);
  EXPECT_DOUBLE_EQ(stored.effort.active_seconds.value(), 12.25);
  const auto boxes = store().annotations(b.id);
  ASSERT_EQ(boxes.size(), 4u);
  EXPECT_EQ(boxes[0].origin, BoxOrigin::kAccepted);
  EXPECT_EQ(boxes[2].origin, BoxOrigin::kAdjusted);
  EXPECT_EQ(boxes[3].origin, BoxOrigin::kDrawn);

  // A save that measured nothing records the counts but no time, and effort figures skip it.
  const LabelEvent unmeasured = store().save_labels(save_of(c, {accepted}));
  EXPECT_FALSE(unmeasured.effort.active_seconds);
  EXPECT_EQ(unmeasured.effort.accepted, 1);
  const auto measured = store().effort_events();
  ASSERT_EQ(measured.size(), 2u);
  EXPECT_EQ(measured[0].id, before.id);
  EXPECT_EQ(measured[1].id, event.id);
}

TEST_P(ProposalsTest, BadEffortFiguresAreRefusedAndNothingIsWritten) {
  const Image a = add_image(1);
  LabelSave negative = save_of(a, {box("nine", 1, 1, 5, 5)});
  negative.active_seconds = -1;
  expect_error(ErrorCode::kInvalidArgument, [&] { store().save_labels(negative); });
  LabelSave nan = save_of(a, {});
  nan.active_seconds = std::numeric_limits<double>::quiet_NaN();
  expect_error(ErrorCode::kInvalidArgument, [&] { store().save_labels(nan); });
  LabelSave rejected = save_of(a, {});
  rejected.rejected = -2;
  expect_error(ErrorCode::kInvalidArgument, [&] { store().save_labels(rejected); });
  EXPECT_TRUE(store().label_events(a.id).empty());
  EXPECT_EQ(store().image(a.id)->status, ImageStatus::kUnlabeled);
}

TEST_P(ProposalsTest, TheThresholdSettingIsAutoByDefaultOrANumberFromZeroToOne) {
  EXPECT_FALSE(store().settings().proposal_threshold);
  EXPECT_TRUE(to_json(store().settings())["proposal_threshold"].is_null());

  store().update_settings(Json{{"proposal_threshold", 0.35}});
  EXPECT_EQ(store().settings().proposal_threshold, 0.35);
  for (const Json& bad : {Json(1.5), Json(-0.1), Json("high"), Json(true)}) {
    expect_error(ErrorCode::kInvalidArgument, [&] {
      store().update_settings(Json{{"proposal_threshold", bad}});
    });
  }
  EXPECT_EQ(store().settings().proposal_threshold, 0.35);
  // null: back to automatic.
  store().update_settings(Json{{"proposal_threshold", nullptr}});
  EXPECT_FALSE(store().settings().proposal_threshold);
  EXPECT_TRUE(to_json(store().settings())["proposal_threshold"].is_null());
  // A value stored out of range before it was checked reads as automatic.
  EXPECT_FALSE(read_stored_settings(R"({"proposal_threshold":7})").settings.proposal_threshold);
}

}  // namespace
}  // namespace boxloop::testing
