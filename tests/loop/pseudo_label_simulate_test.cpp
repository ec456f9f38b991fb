// A simulation with pseudo-labels (TrainOptions::pseudo_labels) on: they come from the scratch
// project's unlabeled pool, never from the test split the curves are scored on.
#include <gtest/gtest.h>

#include <set>

#include "common/synth_project.h"
#include "loop/simulate.h"
#include "loop_project.h"
#include "train/dataset.h"
#include "train/pseudo_labels.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::make_synth_project;
using boxloop::testing::TempDir;
using testing::tiny_simulation;

TEST(Simulate, PseudoLabelsComeFromThePoolNeverFromTheTestSplit) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", {"nine", "king"}, 16);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random"};
  // The lowest threshold the stored proposals allow (the score job keeps 0.05 and up): a model of
  // a few steps is confident about nothing.
  o.train_overrides["pseudo_label_threshold"] = 0.05;

  // The test split, as the simulation draws it.
  std::set<std::string> test_files;
  const std::vector<Sample> samples = load_samples(*source, 64);
  for (std::size_t i : split_by_image(samples, o.test_fraction, o.split_seed).val) {
    test_files.insert(source->image(samples[i].image_id)->sha256);
  }
  ASSERT_FALSE(test_files.empty());

  std::vector<int> pseudo_labeled;
  simulate(*source, o, nullptr, [&](const RunResult& run, const TrainOptions& t) {
    EXPECT_DOUBLE_EQ(t.pseudo_labels.threshold, 0.05);
    // The scratch project of the run, as it is after the round's training.
    auto scratch = Store::open(dir.path() / "work" / "run-3-random");
    const ModelRecord model = scratch->latest_model().value();
    pseudo_labeled.push_back(model.metrics["pseudo_labeled_images"].get<int>());
    EXPECT_EQ(model.metrics["pseudo_label_threshold"], 0.05);
    for (const Image& image : scratch->images()) {
      EXPECT_FALSE(test_files.contains(image.sha256)) << image.path << " is a test image";
    }
    // The images the round read pseudo-labels of (the same seeded choice as its training).
    const std::vector<Sample> pseudo =
        load_pseudo_labeled_samples(*scratch, t.pseudo_labels, t.input_size * 2, t.seed);
    EXPECT_EQ(static_cast<int>(pseudo.size()), pseudo_labeled.back())
        << "round " << run.rounds.size();
    for (const Sample& s : pseudo) {
      const Image image = scratch->image(s.image_id).value();
      EXPECT_EQ(image.status, ImageStatus::kUnlabeled);
      EXPECT_FALSE(test_files.contains(image.sha256)) << image.path << " is a test image";
    }
  });
  // The first round has no queue yet; the second trains on the first model's detections.
  ASSERT_EQ(pseudo_labeled.size(), 2u);
  EXPECT_EQ(pseudo_labeled[0], 0);
  EXPECT_GT(pseudo_labeled[1], 0);
}

}  // namespace
}  // namespace boxloop::loop
