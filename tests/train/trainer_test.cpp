// Training end to end on tiny synthetic projects (input 96-128 px, a few images).
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

#include "common/synth_project.h"
#include "core/error.h"
#include "core/geometry.h"
#include "detector/pretrained.h"
#include "imageio/image_file.h"
#include "synth/synth.h"
#include "train/detect.h"
#include "train/run_state.h"
#include "train/validation.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;
using testing::make_synth_project;
using testing::TempDir;

TrainOptions tiny_options() {
  TrainOptions o;
  o.from = "scratch";
  o.input_size = 128;
  o.batch = 4;
  o.epochs = 10;
  o.lr = 0.02;
  o.warmup_steps = 10;
  o.val_fraction = 0;
  o.workers = 0;
  return o;
}

TrainOptions no_augment(TrainOptions o) {
  o.augment.flip = false;
  o.augment.crop = false;
  o.augment.brightness = o.augment.contrast = o.augment.saturation = 0;
  o.augment.mosaic = 0;
  return o;
}

template <typename F>
ErrorCode error_code_of(F&& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "no boxloop::Error thrown";
  return ErrorCode::kInternal;
}

TEST(Trainer, RunsAsAJobAndRecordsTheModelWithItsMetrics) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 6);
  TrainOptions o = tiny_options();
  o.epochs = 3;
  o.val_fraction = 0.3;
  const Job job = store->create_job(JobKind::kTrain, to_json(o));
  ASSERT_EQ(store->claim_next_job({JobKind::kTrain})->id, job.id);
  std::vector<std::string> messages;
  const TrainResult r = run_train_job(*store, job.id, o,
                                      [&](double, const std::string& m) { messages.push_back(m); });

  const Json& epochs = r.metrics["epochs"];
  ASSERT_EQ(epochs.size(), 3u);
  // The metrics shape the page plots.
  for (const char* key :
       {"epoch", "step", "loss", "loss_parts", "val_map50", "val_map", "lr", "seconds"}) {
    EXPECT_TRUE(epochs[0].contains(key)) << key;
  }
  for (const char* key :
       {"val_map50", "val_map", "best_val_map50", "best_per_class_ap50", "train_images",
        "val_images", "labeled_images", "labeled_boxes", "audit", "seconds", "arch", "device"}) {
    EXPECT_TRUE(r.metrics.contains(key)) << key;
  }
  const int held_out = r.metrics["val_images"].get<int>();
  EXPECT_GE(held_out, 1);
  EXPECT_EQ(r.metrics["train_images"].get<int>() + held_out, 6);
  EXPECT_EQ(r.metrics["labeled_images"].get<int>(), 6);
  ASSERT_FALSE(messages.empty());
  EXPECT_NE(messages.back().find("epoch 3/3 loss"), std::string::npos) << messages.back();

  const auto job_after = store->job(job.id);
  EXPECT_EQ(job_after->state, JobState::kDone);
  EXPECT_DOUBLE_EQ(job_after->progress, 1.0);
  const auto model = store->latest_model();
  ASSERT_TRUE(model);
  EXPECT_EQ(model->id, r.model.id);
  EXPECT_EQ(model->trained_on, 6 - held_out) << "the images trained on, not the held out";
  // The final epoch's weights are kept and reported; the best epoch stands beside them.
  EXPECT_EQ(r.metrics["val_map50"], epochs.back()["val_map50"]);
  EXPECT_GE(r.metrics["best_val_map50"].get<double>(), r.metrics["val_map50"].get<double>());
  EXPECT_TRUE(r.metrics["best_epoch"].is_number_integer());
  EXPECT_FALSE(fs::path(model->weights_path).is_absolute());
  EXPECT_TRUE(fs::exists(store->dir() / model->weights_path));
  const fs::path metrics_file =
      (store->dir() / model->weights_path).replace_extension(".metrics.json");
  EXPECT_EQ(Json::parse(read_file_bytes(metrics_file)), r.metrics);
  EXPECT_TRUE(fs::is_empty(store->model_dir() / "runs")) << "a finished run leaves no folder";

  // from = last warm-starts from that model and records it as the parent.
  o.from = "last";
  o.epochs = 1;
  const TrainResult next = train_detector(*store, o);
  EXPECT_EQ(next.model.parent, r.model.id);
}

// Overfitting 4 images is the smallest proof that loss, targets, decoding and evaluation agree.
class Overfit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    store_ = make_synth_project(dir_->path() / "p", testing::kTwoCategories, 4).release();
    TrainOptions o = no_augment(tiny_options());
    o.epochs = 120;
    o.eval_every = 40;
    const auto start = std::chrono::steady_clock::now();
    result_ = new TrainResult(train_detector(*store_, o));
    spdlog::info("overfit 4 images, 120 steps at 128 px: {:.1f} s",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  static void TearDownTestSuite() {
    delete result_;
    delete store_;
    delete dir_;
  }
  static TempDir* dir_;
  static Store* store_;
  static TrainResult* result_;
};
TempDir* Overfit::dir_ = nullptr;
Store* Overfit::store_ = nullptr;
TrainResult* Overfit::result_ = nullptr;

TEST_F(Overfit, LossFallsMapReachesOneAndSavedModelsDetectTheSame) {
  // One test: ctest runs each test in its own process, and the fixture trains for seconds.
  {
    const Json& epochs = result_->metrics["epochs"];
    ASSERT_EQ(epochs.size(), 120u);
    const auto mean_loss = [&](int from, int to) {
      double s = 0;
      for (int e = from; e < to; ++e) s += epochs[e]["loss"].get<double>();
      return s / (to - from);
    };
    EXPECT_LT(mean_loss(110, 120), 0.3 * mean_loss(0, 10));
  }
  {
    // No held-out split: nothing was validated during the run, and the training images are
    // scored here, after it.
    EXPECT_TRUE(result_->metrics["val_map50"].is_null());
    const std::vector<Sample> samples = load_samples(*store_, 128);
    std::vector<std::size_t> all(samples.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const LoadedCheckpoint model = load_checkpoint(result_->weights);
    EXPECT_GT(evaluate_on_samples(*model.detector, samples, all, 128, 4).map50, 0.9);
  }
  {
    const LoadedCheckpoint a = load_checkpoint(result_->weights);
    const fs::path copy = dir_->path() / "copy.pt";
    save_checkpoint_atomically(*a.detector, copy, a.category_names, Json::object());
    const LoadedCheckpoint b = load_checkpoint(copy);
    EXPECT_EQ(b.category_names, testing::kTwoCategories);
    const cv::Mat image = read_image_bgr(store_->image_dir() / "img0.png");
    const auto da = detect_image(*a.detector, image);
    const auto db = detect_image(*b.detector, image);
    ASSERT_FALSE(da.empty());
    ASSERT_EQ(da.size(), db.size());
    for (std::size_t i = 0; i < da.size(); ++i) {
      EXPECT_EQ(da[i].box, db[i].box);
      EXPECT_EQ(da[i].score, db[i].score);
      EXPECT_EQ(da[i].class_probs, db[i].class_probs);
    }
  }
  {
    const LoadedCheckpoint m = load_checkpoint(result_->weights);
    const auto detections = detect_files(*m.detector, {store_->image_dir() / "img0.png"});
    ASSERT_EQ(detections.size(), 1u);
    const auto truths = store_->annotations(store_->image_by_path("img0.png")->id);
    const auto found = above_threshold(detections[0].detections, 0.3f);
    ASSERT_GE(found.size(), truths.size());
    for (const Annotation& t : truths) {
      double best = 0;
      for (const Detection& d : found) best = std::max(best, iou(d.box, t.box));
      EXPECT_GT(best, 0.5) << "a 320x240 truth box is matched in original pixels";
    }
    const Json j = detections_json(detections, m.category_names);
    EXPECT_EQ(j[0]["width"], 320);
    EXPECT_NE(detections_csv(detections, m.category_names).find("img0.png,320,240,"),
              std::string::npos);
  }
}

TEST(Trainer, AuditImagesNeverTrainAndScoreTheFinalModel) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 8);
  const std::vector<Image> images = store->images();
  store->set_audit(images[1].id, true);
  store->set_audit(images[4].id, true);
  int audit_boxes = 0;
  for (Id id : {images[1].id, images[4].id}) {
    audit_boxes += static_cast<int>(store->annotations(id).size());
  }
  TrainOptions o = tiny_options();
  o.steps = 3;
  const TrainResult r = train_detector(*store, o);
  EXPECT_EQ(r.metrics["train_images"].get<int>(), 6);
  EXPECT_EQ(r.model.trained_on, 6);
  const Json& audit = r.metrics["audit"];
  ASSERT_TRUE(audit.is_object()) << r.metrics.dump();
  EXPECT_EQ(audit["images"].get<int>(), 2);
  EXPECT_EQ(audit["boxes"].get<int>(), audit_boxes);
  EXPECT_LE(audit["map50_low"].get<double>(), audit["map50"].get<double>() + 1e-9);
  EXPECT_GE(audit["map50_high"].get<double>(), audit["map50"].get<double>() - 1e-9);

  // Training samples leave the audit images out; a final model may take them (no figure then).
  for (const Sample& s : load_samples(*store, 64, LabeledSubset::kNotAudit)) {
    EXPECT_NE(s.image_id, images[1].id);
    EXPECT_NE(s.image_id, images[4].id);
  }
  o.include_audit = true;
  const TrainResult all = train_detector(*store, o);
  EXPECT_EQ(all.metrics["train_images"].get<int>(), 8);
  EXPECT_TRUE(all.metrics["audit"].is_null());
}

TEST(Trainer, AFixedStepBudgetIsExactEvenWithAPartialLastEpoch) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 6);
  TrainOptions o = tiny_options();
  o.batch = 2;  // 3 steps an epoch
  o.steps = 7;  // 3 + 3 + 1
  o.epochs = 50;
  const TrainResult r = train_detector(*store, o);
  EXPECT_EQ(r.metrics["steps"].get<int>(), 7);
  ASSERT_EQ(r.metrics["epochs"].size(), 3u);
  EXPECT_EQ(r.metrics["epochs"].back()["step"].get<int>(), 7);
}

TEST(Trainer, FrozenBatchNormKeepsItsRunningStatisticsAndStillTrains) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 4);
  const auto running_statistics_moved = [&](bool freeze) {
    TrainOptions o = tiny_options();
    o.epochs = 2;
    o.freeze_batchnorm = freeze;
    const TrainResult r = train_detector(*store, o);
    EXPECT_GT(r.metrics["epochs"].size(), 0u);
    bool moved = false;
    int statistics = 0;
    // From scratch every batch norm starts at mean 0, variance 1.
    for (const auto& [name, value] : module_state(*load_checkpoint(r.weights).detector)) {
      if (name.find("running_mean") != std::string::npos) {
        ++statistics;
        moved |= value.abs().max().item<double>() > 1e-6;
      } else if (name.find("running_var") != std::string::npos) {
        moved |= (value - 1).abs().max().item<double>() > 1e-6;
      }
    }
    EXPECT_GT(statistics, 10);
    return moved;
  };
  EXPECT_FALSE(running_statistics_moved(true));
  EXPECT_TRUE(running_statistics_moved(false)) << "the check above could not fail";
}

TEST(Split, AddingImagesNeverMovesAnImageBetweenTrainAndValidation) {
  std::vector<Sample> samples(40);
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i].image_id = static_cast<Id>(i + 1);
  const Split before = split_by_image(samples, 0.2, 3);
  std::vector<Id> held;
  for (std::size_t i : before.val) held.push_back(samples[i].image_id);
  samples.resize(400);
  for (std::size_t i = 40; i < samples.size(); ++i) samples[i].image_id = static_cast<Id>(i + 1);
  const Split after = split_by_image(samples, 0.2, 3);
  std::vector<Id> held_after;
  for (std::size_t i : after.val) {
    if (samples[i].image_id <= 40) held_after.push_back(samples[i].image_id);
  }
  EXPECT_EQ(held, held_after);
  EXPECT_NEAR(static_cast<double>(after.val.size()) / 400, 0.2, 0.06);
}

TEST(Trainer, KilledRunResumesFromTheNextEpochWithItsOptimizerState) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 4);
  TrainOptions o = tiny_options();
  o.batch = 2;  // 2 steps an epoch
  o.epochs = 4;
  o.eval_every = 1;
  const TrainResult full = train_detector(*store, o);

  // The same run, killed at the end of epoch 2 ...
  int steps = 0;
  const ProgressFn count = [&](double f, const std::string&) {
    steps = static_cast<int>(f * 8 + 0.5);
  };
  const CancelFn stop_after_epoch_2 = [&] { return steps >= 4; };
  std::string message;
  EXPECT_EQ(error_code_of([&] { train_detector(*store, o, count, stop_after_epoch_2); }, &message),
            ErrorCode::kCancelled);
  EXPECT_EQ(store->models().size(), 1u) << "a cancelled run records no model";
  // ... resumes at epoch 3 and ends where the uninterrupted run ended.
  o.resume = true;
  const TrainResult resumed = train_detector(*store, o);
  EXPECT_EQ(resumed.resumed_from_epoch, 2);
  ASSERT_EQ(resumed.metrics["epochs"].size(), 4u);
  for (int e = 0; e < 4; ++e) {
    EXPECT_NEAR(resumed.metrics["epochs"][e]["loss"].get<double>(),
                full.metrics["epochs"][e]["loss"].get<double>(), 1e-4)
        << "epoch " << e + 1;
  }
  const auto a = module_state(*load_checkpoint(full.weights).detector);
  const auto b = module_state(*load_checkpoint(resumed.weights).detector);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(a[i].second.to(torch::kFloat64), b[i].second.to(torch::kFloat64),
                                1e-4, 1e-5))
        << a[i].first;
  }
  // Nothing left to resume now.
  EXPECT_EQ(error_code_of([&] { train_detector(*store, o); }), ErrorCode::kNotFound);
}

TEST(Trainer, CorruptCheckpointOfAnUnfinishedRunIsReported) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 4);
  TrainOptions o = tiny_options();
  o.epochs = 3;
  int steps = 0;
  const ProgressFn count = [&](double f, const std::string&) {
    steps = static_cast<int>(f * 3 + 0.5);
  };
  EXPECT_EQ(error_code_of([&] { train_detector(*store, o, count, [&] { return steps >= 1; }); }),
            ErrorCode::kCancelled);
  fs::path checkpoint;
  for (const auto& e : fs::recursive_directory_iterator(store->model_dir() / "runs")) {
    if (e.path().filename() == "epoch-1.pt") checkpoint = e.path();
  }
  ASSERT_FALSE(checkpoint.empty());
  std::ofstream(checkpoint, std::ios::trunc) << "not a checkpoint";
  std::string message;
  EXPECT_EQ(error_code_of([&] { train_detector(*store, o); }, &message), ErrorCode::kCorrupt);
  EXPECT_NE(message.find("delete"), std::string::npos) << message;
  EXPECT_EQ(error_code_of([&] { load_checkpoint(checkpoint); }), ErrorCode::kCorrupt);
}

TEST(Trainer, BadInputsFailWithClearMessages) {
  TempDir dir;
  std::string message;
  {
    auto store = make_synth_project(dir.path() / "unlabeled", testing::kTwoCategories, 0, 3);
    EXPECT_EQ(error_code_of([&] { train_detector(*store, tiny_options()); }, &message),
              ErrorCode::kInvalidArgument);
    EXPECT_NE(message.find("no labeled images"), std::string::npos) << message;
  }
  {
    // Cards are drawn only as nine / king; "queen" never appears.
    auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 3);
    store->add_category(Category{0, "queen", "q", "#00ff00", 0});
    EXPECT_EQ(error_code_of([&] { train_detector(*store, tiny_options()); }, &message),
              ErrorCode::kInvalidArgument);
    EXPECT_NE(message.find("queen"), std::string::npos) << message;

    TrainOptions o = tiny_options();
    o.from = "pretrained";
    o.pretrained = dir.path() / "missing.pth";
    o.allow_empty_categories = true;
    EXPECT_EQ(error_code_of([&] { train_detector(*store, o); }, &message), ErrorCode::kNotFound);
    EXPECT_NE(message.find("missing.pth"), std::string::npos) << message;

    o = tiny_options();
    o.allow_empty_categories = true;
    o.device = "cuda";
    if (!torch::cuda::is_available()) {
      EXPECT_EQ(error_code_of([&] { train_detector(*store, o); }, &message),
                ErrorCode::kUnsupported);
      EXPECT_NE(message.find("--device cpu"), std::string::npos) << message;
    }
    o.device = "cpu";
    o.input_size = 100;
    EXPECT_EQ(error_code_of([&] { train_detector(*store, o); }), ErrorCode::kInvalidArgument);
  }
  DetectorConfig config;
  auto detector = make_detector(config);
  EXPECT_EQ(error_code_of([&] { detect_files(*detector, {}); }, &message),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_of(
                [&] {
                  train_options_from_json(Json{{"epochs", 3}, {"lr_", 1}});
                },
                &message),
            ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find("lr_"), std::string::npos);
}

TEST(Trainer, CancelRequestOnTheJobStopsItAndMarksItCancelled) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", testing::kTwoCategories, 2);
  const Job job = store->create_job(JobKind::kTrain, Json::object());
  store->claim_next_job({JobKind::kTrain});
  store->request_job_cancel(job.id);
  EXPECT_EQ(error_code_of([&] { run_train_job(*store, job.id, tiny_options()); }),
            ErrorCode::kCancelled);
  EXPECT_EQ(store->job(job.id)->state, JobState::kCancelled);
}

TEST(TrainOptionsJson, RoundTrips) {
  TrainOptions o;
  o.epochs = 7;
  o.lr = 0.5;
  o.from = "last";
  o.augment.flip = false;
  o.augment.mosaic = 0.25;
  o.average_weights = false;
  o.freeze_batchnorm = true;
  const TrainOptions back = train_options_from_json(to_json(o));
  EXPECT_EQ(back.epochs, 7);
  EXPECT_DOUBLE_EQ(back.lr, 0.5);
  EXPECT_EQ(back.from, "last");
  EXPECT_FALSE(back.augment.flip);
  EXPECT_DOUBLE_EQ(back.augment.mosaic, 0.25);
  EXPECT_FALSE(back.average_weights);
  EXPECT_TRUE(back.freeze_batchnorm);
}

}  // namespace
}  // namespace boxloop
