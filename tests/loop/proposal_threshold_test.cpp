// The proposal threshold: chosen by F1 on hand-made detections, served as the admin set it or as
// the model chose it; and a score job that keeps proposals and records the choice.
#include "loop/proposal_threshold.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "common/synth_project.h"
#include "common/temp_dir.h"
#include "loop/score.h"
#include "loop/state/proposals.h"
#include "loop_project.h"
#include "train/trainer.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::make_synth_project;
using boxloop::testing::TempDir;
using testing::tiny_train_options;

TruthBox truth(double x, int cls) { return TruthBox{Box{x, 0, 10, 10}, cls}; }

Detection det(double x, int cls, float score) {
  Detection d;
  d.box = Box{x, 0, 10, 10};
  d.class_index = cls;
  d.score = score;
  return d;
}

TEST(ProposalThreshold, TakesTheScoreWithTheBestF1) {
  // Two labeled boxes, F1 = 2 x hits / (proposed + 2): from 0.9 one hit (2/3), 0.6 adds a false
  // box (2/4), 0.4 the second hit (4/5), 0.2 another false box (4/6).
  const std::vector<EvalImage> images{
      EvalImage{{truth(0, 0)}, {det(0, 0, 0.9f), det(100, 0, 0.6f)}},
      EvalImage{{truth(50, 1)}, {det(50, 1, 0.4f), det(200, 1, 0.2f)}}};
  const auto chosen = choose_proposal_threshold(images);
  ASSERT_TRUE(chosen);
  EXPECT_DOUBLE_EQ(chosen->threshold, static_cast<double>(0.4f));
  EXPECT_NEAR(chosen->f1, 4.0 / 5, 1e-12);
  EXPECT_EQ(chosen->truths, 2);
  EXPECT_EQ(chosen->proposed, 3);
  EXPECT_EQ(chosen->matched, 2);
}

TEST(ProposalThreshold, AmongEqualF1sTheHigherThresholdWins) {
  // From 0.9 one hit (2/3); 0.8 and 0.7 add false boxes (2/4, 2/5); 0.6 the second hit (4/6 =
  // 2/3 again): the same F1 with three more boxes to look at.
  const std::vector<EvalImage> images{
      EvalImage{{truth(0, 0)}, {det(0, 0, 0.9f), det(100, 0, 0.8f)}},
      EvalImage{{truth(50, 1)}, {det(200, 1, 0.7f), det(50, 1, 0.6f)}}};
  const auto chosen = choose_proposal_threshold(images);
  ASSERT_TRUE(chosen);
  EXPECT_DOUBLE_EQ(chosen->threshold, static_cast<double>(0.9f));
  EXPECT_NEAR(chosen->f1, 2.0 / 3, 1e-12);
  EXPECT_EQ(chosen->proposed, 1);
  EXPECT_EQ(chosen->matched, 1);
}

TEST(ProposalThreshold, GoesLowWhenTheLowBoxesAreRight) {
  // Three labeled boxes found at 0.9, 0.3 and 0.1; one false box at 0.5.
  const std::vector<EvalImage> images{
      EvalImage{{truth(0, 0), truth(20, 0), truth(40, 0)},
                {det(0, 0, 0.9f), det(90, 0, 0.5f), det(20, 0, 0.3f), det(40, 0, 0.1f)}}};
  const auto chosen = choose_proposal_threshold(images);
  ASSERT_TRUE(chosen);
  // 0.9: 2/4; 0.5: 2/5; 0.3: 4/6; 0.1: 6/7.
  EXPECT_DOUBLE_EQ(chosen->threshold, static_cast<double>(0.1f));
  EXPECT_NEAR(chosen->f1, 6.0 / 7, 1e-12);
  EXPECT_EQ(chosen->proposed, 4);
  EXPECT_EQ(chosen->matched, 3);
}

TEST(ProposalThreshold, MatchesAreClassAwareOneToOneAndNeedIouOfAHalf) {
  const std::vector<EvalImage> images{
      EvalImage{{truth(0, 0)},
                {det(0, 1, 0.95f),    // right place, wrong class
                 det(0, 0, 0.9f),     // the hit
                 det(1, 0, 0.85f),    // a duplicate of the hit: the box is taken
                 det(6, 0, 0.8f)}}};  // IoU 4/16 < 0.5
  const auto chosen = choose_proposal_threshold(images);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->threshold, static_cast<double>(0.9f));  // 2/3, before the others dilute it
  EXPECT_EQ(chosen->matched, 1);
  EXPECT_EQ(chosen->proposed, 2);
  // A looser IoU lets the shifted box count, but the box is already taken by the better one.
  EXPECT_EQ(choose_proposal_threshold(images, 0.2)->matched, 1);
}

TEST(ProposalThreshold, TiesAtOneScoreAreInOrOutTogether) {
  const std::vector<EvalImage> images{EvalImage{
      {truth(0, 0), truth(20, 0)}, {det(0, 0, 0.7f), det(90, 0, 0.7f), det(20, 0, 0.7f)}}};
  const auto chosen = choose_proposal_threshold(images);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->proposed, 3);
  EXPECT_NEAR(chosen->f1, 4.0 / 5, 1e-12);
}

TEST(ProposalThreshold, NothingRightMeansProposeNothingAndNothingToGoOnMeansNoChoice) {
  const std::vector<EvalImage> wrong{
      EvalImage{{truth(0, 0)}, {det(100, 0, 0.6f), det(200, 0, 0.3f)}}};
  const auto chosen = choose_proposal_threshold(wrong);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->f1, 0);
  EXPECT_GT(chosen->threshold, static_cast<double>(0.6f));  // above every score
  EXPECT_EQ(chosen->proposed, 0);

  EXPECT_FALSE(choose_proposal_threshold({}));
  EXPECT_FALSE(choose_proposal_threshold({EvalImage{{}, {det(0, 0, 0.9f)}}}))
      << "no labeled box: nothing to choose on";
  EXPECT_FALSE(choose_proposal_threshold({EvalImage{{truth(0, 0)}, {}}})) << "no detection";
}

TEST(ProposalThreshold, RecordedMetricsReadBack) {
  ProposalThreshold t;
  t.threshold = 0.42;
  t.f1 = 0.8;
  t.truths = 10;
  t.proposed = 9;
  t.matched = 8;
  t.source = ThresholdSource::kLabels;
  t.images = 4;
  const Json metrics{{"map50", 0.5}, {kProposalMetricsKey, to_json(t)}};
  EXPECT_EQ(metrics[kProposalMetricsKey]["source"], "labels");
  const auto back = recorded_proposal_threshold(metrics);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->threshold, 0.42);
  EXPECT_EQ(back->f1, 0.8);
  EXPECT_EQ(back->matched, 8);
  EXPECT_EQ(back->source, ThresholdSource::kLabels);
  EXPECT_EQ(back->images, 4);
  EXPECT_FALSE(recorded_proposal_threshold(Json{{"map50", 0.5}}));
  EXPECT_FALSE(recorded_proposal_threshold(Json{{kProposalMetricsKey, {{"threshold", "x"}}}}));
}

TEST(ProposalThreshold, ServedAsTheAdminSetItElseAsTheModelChoseItElseTheFallback) {
  TempDir dir;
  auto store = Store::create(dir.path() / "p", "t", {Category{0, "nine", "", "", 0}});
  const Image image = store->add_image("a.png", "h", 100, 100);
  ModelRecord record;
  record.arch = "fastestdet";
  record.weights_path = "models/m.pt";
  const Id model = store->add_model(record).id;
  std::vector<Proposal> proposals;
  for (double score : {0.9, 0.6, 0.35, 0.1}) {
    Proposal p;
    p.image_id = image.id;
    p.category_id = store->categories()[0].id;
    p.box = Box{score * 50, 0, 10, 10};
    p.score = score;
    proposals.push_back(p);
  }
  store->replace_queue(model, "margin", {QueueEntry{image.id, 0.5, 0}}, proposals);
  const auto served = [&] { return proposals_for(*store, *store->image(image.id)); };

  // The model has no recorded choice: the fallback.
  EXPECT_EQ(effective_proposal_threshold(*store, model), kFallbackProposalThreshold);
  EXPECT_EQ(served().proposals.size(), 2u);
  EXPECT_EQ(served().model_id, model);
  // The model's choice.
  ProposalThreshold chosen;
  chosen.threshold = 0.3;
  store->update_model_metrics(model, Json{{kProposalMetricsKey, to_json(chosen)}});
  EXPECT_EQ(effective_proposal_threshold(*store, model), 0.3);
  EXPECT_EQ(served().proposals.size(), 3u);
  // The admin's setting wins.
  store->update_settings(Json{{"proposal_threshold", 0.8}});
  EXPECT_EQ(served().proposals.size(), 1u);
  EXPECT_EQ(served().proposals[0].score, 0.9);
  store->update_settings(Json{{"proposal_threshold", nullptr}});
  EXPECT_EQ(served().proposals.size(), 3u);

  // Once labeled: nothing, and no model.
  LabelSave save;
  save.image_id = image.id;
  save.labeler = "ann";
  store->save_labels(save);
  EXPECT_TRUE(served().proposals.empty());
  EXPECT_FALSE(served().model_id);
}

TEST(ScoreProposals, AScoreKeepsEachUnlabeledImagesBestDetectionsAndRecordsTheThreshold) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", {"nine", "king"}, 6, 5);
  train_detector(*store, tiny_train_options());
  const Id model = store->latest_model()->id;

  ScoreOptions options;
  options.strategy = "least_confidence";
  const ScoreResult result = score_unlabeled(*store, options);
  EXPECT_EQ(store->queue_model(), model);

  // Every detection the score kept is a proposal of an unlabeled image, at most the cap each.
  int stored = 0;
  for (const Image& image : store->images()) {
    const auto proposals = store->proposals(image.id);
    if (image.status != ImageStatus::kUnlabeled) {
      EXPECT_TRUE(proposals.empty());
      continue;
    }
    EXPECT_LE(proposals.size(), static_cast<std::size_t>(kMaxProposalsPerImage));
    for (const Proposal& p : proposals) {
      EXPECT_EQ(p.model_id, model);
      EXPECT_GE(p.score, options.score_threshold - 1e-6);
      EXPECT_GT(p.box.w, 0);
      EXPECT_LE(p.box.x + p.box.w, image.width + 1e-6);
    }
    stored += static_cast<int>(proposals.size());
  }
  EXPECT_EQ(stored, result.proposals);

  // No audit image is labeled: the choice is made on the labels, and kept in the metrics.
  const Json metrics = store->model(model)->metrics;
  if (result.proposal_threshold) {
    EXPECT_EQ(result.proposal_threshold->source, ThresholdSource::kLabels);
    EXPECT_EQ(result.proposal_threshold->images, 6);
    const auto recorded = recorded_proposal_threshold(metrics);
    ASSERT_TRUE(recorded);
    EXPECT_EQ(recorded->threshold, result.proposal_threshold->threshold);
    EXPECT_EQ(effective_proposal_threshold(*store, model), recorded->threshold);
  } else {
    // Only when the tiny model found nothing at all on the labeled images.
    EXPECT_FALSE(metrics.contains(kProposalMetricsKey));
  }

  // With a labeled audit image the choice is made on the audit set.
  store->set_audit(store->images_with_status(ImageStatus::kLabeled).at(0).id, true);
  const ScoreResult again = score_unlabeled(*store, options);
  if (again.proposal_threshold) {
    EXPECT_EQ(again.proposal_threshold->source, ThresholdSource::kAudit);
    EXPECT_EQ(again.proposal_threshold->images, 1);
  }

  // A partly labeled image is left out: a right detection outside its regions would count as
  // a false one.
  const Image first = store->images_with_status(ImageStatus::kLabeled).at(0);
  store->set_audit(first.id, false);
  LabelSave partial;
  partial.image_id = first.id;
  partial.expected_version = first.version;
  partial.labeler = "ann";
  partial.regions = {Box{0, 0, 10, 10}};
  store->save_labels(partial);
  const ScoreResult without = score_unlabeled(*store, options);
  if (without.proposal_threshold) {
    EXPECT_EQ(without.proposal_threshold->source, ThresholdSource::kLabels);
    EXPECT_EQ(without.proposal_threshold->images, 5);
  }
}

}  // namespace
}  // namespace boxloop::loop
