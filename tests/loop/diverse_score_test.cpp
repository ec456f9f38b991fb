// Features for the diversity strategies: scoring computes them only for +diverse, the queue uses
// the loop's batch size, and the TypiClust first batch picks from the pool. Random weights are
// enough (no training): these check the plumbing, active/'s tests check the choices.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/synth_project.h"
#include "loop/score.h"
#include "loop/state/loop_settings.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::make_synth_project;
using boxloop::testing::TempDir;

std::shared_ptr<Detector> random_detector() {
  torch::manual_seed(5);
  return make_detector(DetectorConfig{.arch = "fastestdet", .num_classes = 2, .input_size = 64});
}

std::vector<Id> queue_ids(Store& store) {
  std::vector<Id> out;
  for (const QueueEntry& q : store.queue()) out.push_back(q.image_id);
  return out;
}

TEST(DiverseScore, DetectAndEmbedAddsFeaturesToTheSameDetections) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", boxloop::testing::kTwoCategories, 2, 5);
  auto detector = random_detector();
  const auto images = store->images_with_status(ImageStatus::kUnlabeled);
  const auto plain = detect_images(*store, *detector, images, 2);
  const auto both = detect_and_embed_images(*store, *detector, images, 2);
  ASSERT_EQ(both.size(), images.size());
  for (std::size_t i = 0; i < both.size(); ++i) {
    EXPECT_EQ(both[i].image_id, images[i].id);
    EXPECT_TRUE(plain[i].features.empty());
    ASSERT_EQ(both[i].features.size(), 192u);
    for (float x : both[i].features) EXPECT_TRUE(std::isfinite(x));
    ASSERT_EQ(both[i].detections.size(), plain[i].detections.size());
    for (std::size_t d = 0; d < plain[i].detections.size(); ++d) {
      EXPECT_FLOAT_EQ(both[i].detections[d].score, plain[i].detections[d].score);
    }
  }
  const auto normalised = embed_images(*store, *detector, images, 3);
  ASSERT_EQ(normalised.size(), images.size());
  for (const auto& v : normalised) {
    double norm = 0;
    for (float x : v) norm += static_cast<double>(x) * x;
    EXPECT_NEAR(norm, 1.0, 1e-4);
  }
}

TEST(DiverseScore, QueueHeadIsTheTop3KOfTheLoopsBatch) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", boxloop::testing::kTwoCategories, 3, 9);
  auto detector = random_detector();
  const auto checkpoint = dir.path() / "model.pt";
  save_checkpoint(*detector, checkpoint, boxloop::testing::kTwoCategories, Json::object());
  update_loop_settings(*store, Json{{"every", 2}});  // K = 2: the head is the 6 most uncertain

  ScoreOptions options;
  options.model = checkpoint.string();
  options.seed = 4;
  options.strategy = "least_confidence:mean";
  score_unlabeled(*store, options);
  const auto plain = queue_ids(*store);
  options.strategy = "least_confidence:mean+diverse";
  EXPECT_EQ(score_unlabeled(*store, options).strategy, "least_confidence:mean+diverse");
  const auto diverse = queue_ids(*store);

  ASSERT_EQ(diverse.size(), 9u);
  EXPECT_EQ(std::set<Id>(diverse.begin(), diverse.end()).size(), 9u);
  EXPECT_EQ(std::set<Id>(diverse.begin(), diverse.begin() + 6),
            std::set<Id>(plain.begin(), plain.begin() + 6));
  EXPECT_EQ(std::vector<Id>(diverse.begin() + 6, diverse.end()),
            std::vector<Id>(plain.begin() + 6, plain.end()));
}

TEST(DiverseScore, TypicalSpreadImagesPicksDistinctPoolImagesBySeed) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", boxloop::testing::kTwoCategories, 0, 12);
  auto detector = random_detector();
  const std::vector<Image> pool = store->images();
  const auto picks = typical_spread_images(*store, *detector, pool, 4, 9, 4);
  ASSERT_EQ(picks.size(), 4u);
  std::set<Id> pool_ids;
  for (const Image& i : pool) pool_ids.insert(i.id);
  for (Id id : picks) EXPECT_TRUE(pool_ids.count(id)) << id;
  EXPECT_EQ(std::set<Id>(picks.begin(), picks.end()).size(), 4u);
  EXPECT_EQ(typical_spread_images(*store, *detector, pool, 4, 9, 4), picks);
  EXPECT_EQ(typical_spread_images(*store, *detector, pool, 20, 9).size(), pool.size());
}

}  // namespace
}  // namespace boxloop::loop
