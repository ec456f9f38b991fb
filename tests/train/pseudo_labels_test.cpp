// Pseudo-labels (TrainOptions::pseudo_labels): which unlabeled images become training samples, and
// what a training run does with them, on tiny synthetic projects.
#include "train/pseudo_labels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/synth_project.h"
#include "core/error.h"
#include "train/trainer.h"

namespace boxloop {
namespace {

using testing::make_synth_project;
using testing::TempDir;

// A model of the project, so that a queue can carry its proposals.
Id add_model(Store& store) {
  ModelRecord record;
  record.arch = "fastestdet";
  record.weights_path = "models/made-up.pt";
  return store.add_model(record).id;
}

Proposal proposal(Id image_id, Id category_id, Box box, double score) {
  Proposal p;
  p.image_id = image_id;
  p.category_id = category_id;
  p.box = box;
  p.score = score;
  return p;
}

// Publishes a queue of the unlabeled images with `proposals` by a model of the project.
void publish(Store& store, const std::vector<Proposal>& proposals) {
  std::vector<QueueEntry> entries;
  for (const Image& image : store.images_with_status(ImageStatus::kUnlabeled)) {
    entries.push_back(QueueEntry{image.id, 0.5, static_cast<int>(entries.size())});
  }
  store.replace_queue(add_model(store), "least_confidence", entries, proposals);
}

std::vector<Id> ids_of(const std::vector<Sample>& samples) {
  std::vector<Id> ids;
  for (const Sample& s : samples) ids.push_back(s.image_id);
  return ids;
}

PseudoLabelOptions at(double threshold) {
  PseudoLabelOptions o;
  o.threshold = threshold;
  o.max_images = 0;
  return o;
}

TEST(PseudoLabels, OnlyUnlabeledNonAuditImagesWithAConfidentProposalAndOnlyThoseBoxes) {
  TempDir dir;
  // Images 0-1 labeled, 2-7 unlabeled (320 x 240).
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 2, 6);
  const std::vector<Image> images = store->images();
  const Id nine = store->category_by_name("nine")->id;
  const Id king = store->category_by_name("king")->id;
  const Id labeled = images[0].id;
  const Id confident = images[2].id;      // one box of two reaches 0.5
  const Id two_boxes = images[3].id;      // both reach 0.5
  const Id low = images[4].id;            // only a low-scoring proposal
  const Id audit = images[5].id;          // confident, but in the audit set
  const Id none = images[6].id;           // no proposal at all
  const Id labeled_later = images[7].id;  // confident, then labeled
  store->set_audit(audit, true);
  publish(*store, {proposal(labeled, nine, {10, 10, 50, 70}, 0.99),
                   proposal(confident, nine, {20, 30, 60, 90}, 0.9),
                   proposal(confident, king, {150, 40, 60, 90}, 0.3),
                   proposal(two_boxes, king, {100, 20, 50, 80}, 0.6),
                   proposal(two_boxes, nine, {200, 120, 40, 60}, 0.55),
                   proposal(low, king, {30, 30, 50, 80}, 0.2),
                   proposal(audit, nine, {40, 40, 50, 80}, 0.95),
                   proposal(labeled_later, nine, {40, 40, 50, 80}, 0.97)});
  LabelSave save;
  save.image_id = labeled_later;
  save.expected_version = store->image(labeled_later)->version;
  save.labeler = "test";
  Annotation drawn;
  drawn.category_id = king;
  drawn.box = {60, 60, 40, 70};
  save.boxes.push_back(drawn);
  store->save_labels(save);
  (void)none;

  // Kept at full size, so the boxes are the proposals' own pixels.
  const std::vector<Sample> half = load_pseudo_labeled_samples(*store, at(0.5), 1000, 1);
  ASSERT_EQ(ids_of(half), (std::vector<Id>{confident, two_boxes}));
  ASSERT_EQ(half[0].boxes.size(), 1u);
  EXPECT_EQ(half[0].labels, (std::vector<int64_t>{0}));  // nine: the first category
  EXPECT_DOUBLE_EQ(half[0].boxes[0].x, 20);
  EXPECT_DOUBLE_EQ(half[0].boxes[0].y, 30);
  EXPECT_DOUBLE_EQ(half[0].boxes[0].w, 60);
  EXPECT_DOUBLE_EQ(half[0].boxes[0].h, 90);
  EXPECT_EQ(half[0].bgr.cols, 320);
  EXPECT_EQ(half[1].labels, (std::vector<int64_t>{1, 0}));  // best first: king 0.6, nine 0.55

  // A lower threshold takes the weaker boxes too; the audit and labeled images stay out.
  const std::vector<Sample> low_threshold = load_pseudo_labeled_samples(*store, at(0.15), 1000, 1);
  EXPECT_EQ(ids_of(low_threshold), (std::vector<Id>{confident, two_boxes, low}));
  EXPECT_EQ(low_threshold[0].boxes.size(), 2u);
  EXPECT_EQ(ids_of(load_pseudo_labeled_samples(*store, at(0.92), 1000, 1)), std::vector<Id>{});

  // Downscaled like the labeled samples: the boxes follow the pixels.
  const std::vector<Sample> small = load_pseudo_labeled_samples(*store, at(0.5), 160, 1);
  ASSERT_EQ(small.size(), 2u);
  EXPECT_EQ(small[0].bgr.cols, 160);
  EXPECT_NEAR(small[0].boxes[0].x, 10, 1e-9);
  EXPECT_NEAR(small[0].boxes[0].w, 30, 1e-9);

  // Off: nothing, whatever the proposals.
  EXPECT_TRUE(load_pseudo_labeled_samples(*store, at(0), 1000, 1).empty());

  // A cap takes a seeded sample of the eligible images.
  PseudoLabelOptions capped = at(0.15);
  capped.max_images = 2;
  std::set<std::vector<Id>> samples_seen;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const std::vector<Id> ids = ids_of(load_pseudo_labeled_samples(*store, capped, 1000, seed));
    ASSERT_EQ(ids.size(), 2u);
    for (Id id : ids) EXPECT_TRUE(id == confident || id == two_boxes || id == low) << id;
    EXPECT_EQ(ids, ids_of(load_pseudo_labeled_samples(*store, capped, 1000, seed)));
    samples_seen.insert(ids);
  }
  EXPECT_GT(samples_seen.size(), 1u) << "the seed chooses the sample";

  // The next queue's proposals replace them.
  publish(*store, {proposal(low, king, {30, 30, 50, 80}, 0.8)});
  EXPECT_EQ(ids_of(load_pseudo_labeled_samples(*store, at(0.5), 1000, 1)), (std::vector<Id>{low}));
}

TEST(PseudoLabels, ABatchGivesThemAtMostItsShareAndAlwaysKeepsAHumanLabel) {
  PseudoLabelOptions o = at(0.5);
  o.share = 0.25;
  EXPECT_EQ(pseudo_label_slots(o, 8, 100), 2);
  EXPECT_EQ(pseudo_label_slots(o, 8, 1), 1);  // no more than there are
  EXPECT_EQ(pseudo_label_slots(o, 8, 0), 0);
  EXPECT_EQ(pseudo_label_slots(o, 1, 100), 0);
  o.share = 1;
  EXPECT_EQ(pseudo_label_slots(o, 4, 100), 3);
  EXPECT_EQ(pseudo_label_slots(at(0), 8, 100), 0);

  std::mt19937_64 rng(5);
  for (int i = 0; i < 50; ++i) {
    const std::vector<std::size_t> drawn = draw_pseudo_labeled(10, 4, 3, rng);
    ASSERT_EQ(drawn.size(), 3u);
    EXPECT_EQ(std::set<std::size_t>(drawn.begin(), drawn.end()).size(), 3u);
    for (std::size_t d : drawn) {
      EXPECT_GE(d, 10u);
      EXPECT_LT(d, 14u);
    }
  }
  EXPECT_TRUE(draw_pseudo_labeled(10, 4, 0, rng).empty());
}

TEST(PseudoLabels, OptionsAreReadCheckedAndWrittenBackOffByDefault) {
  const TrainOptions defaults;
  EXPECT_EQ(defaults.pseudo_labels.threshold, 0) << "off by default";
  const TrainOptions o = train_options_from_json(Json{
      {"pseudo_label_threshold", 0.6}, {"pseudo_label_share", 0.5}, {"pseudo_label_images", 40}});
  EXPECT_DOUBLE_EQ(o.pseudo_labels.threshold, 0.6);
  EXPECT_DOUBLE_EQ(o.pseudo_labels.share, 0.5);
  EXPECT_EQ(o.pseudo_labels.max_images, 40);
  const TrainOptions back = train_options_from_json(to_json(o));
  EXPECT_DOUBLE_EQ(back.pseudo_labels.threshold, 0.6);
  EXPECT_DOUBLE_EQ(back.pseudo_labels.share, 0.5);
  EXPECT_EQ(back.pseudo_labels.max_images, 40);
  for (const Json& bad : {Json{{"pseudo_label_threshold", 1.5}}, Json{{"pseudo_label_share", 0}},
                          Json{{"pseudo_label_share", 2}}, Json{{"pseudo_label_images", -1}},
                          Json{{"pseudo_label_threshold", "high"}}}) {
    try {
      train_options_from_json(bad);
      ADD_FAILURE() << bad.dump() << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(bad.begin().key()), std::string::npos) << e.what();
    }
  }
}

TrainOptions tiny_pseudo_label_options() {
  TrainOptions o;
  o.from = "scratch";
  o.input_size = 96;
  o.batch = 4;
  o.epochs = 2;
  o.lr = 0.02;
  o.warmup_steps = 2;
  o.workers = 0;
  return o;
}

std::vector<double> losses(const TrainResult& r) {
  std::vector<double> out;
  for (const Json& e : r.metrics["epochs"]) out.push_back(e["loss"].get<double>());
  return out;
}

void expect_same_losses(const TrainResult& a, const TrainResult& b) {
  const std::vector<double> la = losses(a), lb = losses(b);
  ASSERT_EQ(la.size(), lb.size());
  for (std::size_t i = 0; i < la.size(); ++i) EXPECT_NEAR(la[i], lb[i], 1e-6) << "epoch " << i + 1;
}

TEST(PseudoLabels, ARunTrainsOnThemAndRecordsThemAndARunWithoutThemIsUnchanged) {
  TempDir dir;
  // Images 0-5 labeled, 6-9 unlabeled.
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 6, 4);
  const std::vector<Image> images = store->images();
  const Id nine = store->category_by_name("nine")->id;
  const Id king = store->category_by_name("king")->id;
  const TrainOptions off = tiny_pseudo_label_options();
  const TrainResult before = train_detector(*store, off);

  store->set_audit(images[9].id, true);
  publish(*store, {proposal(images[6].id, nine, {20, 30, 60, 90}, 0.9),
                   proposal(images[6].id, king, {150, 40, 60, 90}, 0.7),
                   proposal(images[7].id, king, {100, 20, 50, 80}, 0.6),
                   proposal(images[8].id, king, {100, 20, 50, 80}, 0.1),
                   proposal(images[9].id, nine, {40, 40, 50, 80}, 0.95)});

  // Off: the proposals change nothing.
  const TrainResult still_off = train_detector(*store, off);
  expect_same_losses(still_off, before);
  EXPECT_EQ(still_off.metrics["steps"], 2);  // 6 labels, batch 4: 1 step an epoch
  EXPECT_EQ(still_off.metrics["pseudo_labeled_images"], 0);
  EXPECT_TRUE(still_off.metrics["pseudo_label_threshold"].is_null());

  TrainOptions on = off;
  on.pseudo_labels.threshold = 0.5;
  const TrainResult with = train_detector(*store, on);
  EXPECT_EQ(with.metrics["pseudo_labeled_images"], 2);
  EXPECT_EQ(with.metrics["pseudo_labeled_boxes"], 3);
  EXPECT_EQ(with.metrics["pseudo_label_threshold"], 0.5);
  EXPECT_EQ(with.metrics["pseudo_label_slots"], 1);  // round(0.25 x 4)
  EXPECT_EQ(with.metrics["train_images"], 6);
  EXPECT_EQ(with.model.trained_on, 6) << "the human labels";
  // Epochs pass over the human labels: 3 of them a batch now, 2 steps an epoch.
  EXPECT_EQ(with.metrics["steps"], 4);
  ASSERT_EQ(with.metrics["epochs"].size(), 2u);
  EXPECT_GT(std::abs(losses(with)[0] - losses(before)[0]), 1e-6) << "other batches";
  // Deterministic per seed.
  expect_same_losses(train_detector(*store, on), with);
}

}  // namespace
}  // namespace boxloop
