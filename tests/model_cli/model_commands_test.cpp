// The model commands through the built `boxloop` binary: a tiny project is trained once from
// scratch, then listed, evaluated and run; and the commands' bad inputs fail with a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "common/cli_process.h"
#include "core/json.h"
#include "store/store.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;
using boxloop::testing::CommandOutput;
using boxloop::testing::CommandResult;
using boxloop::testing::run_cli;
using ::testing::HasSubstr;

// Runs the CLI; `stderr_only` keeps stdout out of `output` so a message is known to be on stderr.
CommandResult run(const std::string& arguments, bool stderr_only = false) {
  return run_cli(arguments, stderr_only ? CommandOutput::kStderr : CommandOutput::kStdout);
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path fresh_dir(const std::string& what) {
  std::random_device random;
  const fs::path dir =
      fs::temp_directory_path() / ("boxloop-model-cli-" + what + "-" + std::to_string(random()));
  fs::create_directories(dir);
  return dir;
}

// init -> synth -> import (-> import-labels when `labeled`): a six-category project of synthetic
// cards. Returns the error output of the first step that fails, empty on success.
std::string make_project(const fs::path& project, const fs::path& synth, bool labeled) {
  const std::string steps[] = {
      "init " + quoted(project) + " --categories nine,ten,jack,queen,king,ace",
      "synth " + quoted(synth) + " --count 12 --seed 3",
      "import " + quoted(project) + " " + quoted(synth),
      "import-labels " + quoted(project) + " " + quoted(synth),
  };
  for (const std::string& step : steps) {
    if (!labeled && step.rfind("import-labels", 0) == 0) continue;
    const CommandResult r = run(step, true);
    if (r.exit_code != 0) return step + ": " + r.output;
  }
  return "";
}

// One tiny model trained from scratch, shared by the tests that use a model.
class TrainedProject : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fresh_dir("trained");
    setup_error_ = make_project(project(), synth(), true);
    if (!setup_error_.empty()) return;
    const CommandResult r = run("train " + quoted(project()) +
                                " --from scratch --epochs 2 --input-size 96 --batch 4 "
                                "--min-steps 4 --val-fraction 0.25");
    train_output_ = r.output;
    if (r.exit_code != 0) setup_error_ = "train failed: " + r.output;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  static fs::path project() { return dir_ / "P"; }
  static fs::path synth() { return dir_ / "S"; }

  static inline fs::path dir_;
  static inline std::string setup_error_;
  static inline std::string train_output_;
};

TEST_F(TrainedProject, TrainReportsTheModelAndListShowsIt) {
  EXPECT_THAT(train_output_, HasSubstr("model 1"));
  // With a held-out split the figure is the final epoch's, the best epoch beside it.
  EXPECT_THAT(train_output_, HasSubstr("held-out mAP@0.5"));
  EXPECT_THAT(train_output_, HasSubstr("(final epoch; best"));
  const CommandResult list = run("model list " + quoted(project()));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("fastestdet"));
  std::istringstream lines(list.output);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_THAT(header, HasSubstr("mAP@0.5"));
  EXPECT_EQ(row.rfind("1 ", 0), 0u) << "the first row is model 1: " << list.output;
  // The weights the list names exist.
  const std::string weights = row.substr(row.find_last_of(' ') + 1);
  EXPECT_TRUE(fs::exists(project() / weights)) << weights;
}

TEST_F(TrainedProject, EvaluateJsonHasMapAndPerClassAp) {
  const CommandResult r = run("evaluate " + quoted(project()) + " --model 1 --images " +
                              quoted(synth()) + " --annotations " + quoted(synth()) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Json j = Json::parse(r.output);
  ASSERT_TRUE(j.at("map50").is_number());
  EXPECT_GE(j["map50"].get<double>(), 0.0);
  EXPECT_LE(j["map50"].get<double>(), 1.0);
  EXPECT_GE(j.at("map").get<double>(), 0.0);
  EXPECT_LE(j["map"].get<double>(), j["map50"].get<double>() + 1e-9);
  EXPECT_EQ(j.at("images").get<int>(), 12);
  // Every category that has boxes in the set gets an AP of its own.
  const Json& truths = j.at("truths");
  for (const char* name : {"nine", "ten", "jack", "queen", "king", "ace"}) {
    ASSERT_TRUE(truths.contains(name)) << name;
    if (truths[name].get<int>() == 0) continue;
    ASSERT_TRUE(j.at("per_class_ap50").contains(name)) << name;
    const double ap = j["per_class_ap50"][name].get<double>();
    EXPECT_GE(ap, 0.0);
    EXPECT_LE(ap, 1.0);
  }
}

TEST_F(TrainedProject, DetectWritesBoxesInsideEachImageAndDrawsThem) {
  const fs::path out = dir_ / "detections";
  const CommandResult r = run("detect " + quoted(project()) + " --model last --threshold 0 --out " +
                              quoted(out) + " --draw");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(out / "detections.json");
  ASSERT_TRUE(in) << "no detections.json";
  const Json images = Json::parse(in);
  ASSERT_EQ(images.size(), 12u);
  int boxes = 0;
  for (const Json& image : images) {
    const double w = image.at("width").get<double>(), h = image.at("height").get<double>();
    ASSERT_GT(w, 0);
    ASSERT_GT(h, 0);
    for (const Json& d : image.at("detections")) {
      const Json& b = d.at("box");
      const double x = b.at("x").get<double>(), y = b.at("y").get<double>();
      EXPECT_GE(x, -0.5);
      EXPECT_GE(y, -0.5);
      EXPECT_LE(x + b.at("w").get<double>(), w + 0.5);
      EXPECT_LE(y + b.at("h").get<double>(), h + 0.5);
      EXPECT_EQ(d.at("class_probs").size(), 6u);
      ++boxes;
    }
    const fs::path drawn =
        out / (fs::path(image.at("file").get<std::string>()).stem().string() + "_boxes.jpg");
    EXPECT_TRUE(fs::exists(drawn)) << drawn;
  }
  // Threshold 0 keeps every detection the decoder gives: a trained model gives some.
  EXPECT_GT(boxes, 0);
  // The CSV holds one line per box under its header.
  std::ifstream csv(out / "detections.csv");
  ASSERT_TRUE(csv);
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, boxes + 1);
}

TEST_F(TrainedProject, DetectOnImageFilesWithACheckpointFile) {
  const CommandResult list = run("model list " + quoted(project()));
  const std::string row = list.output.substr(list.output.find('\n') + 1);
  const std::string weights = row.substr(0, row.find('\n')).substr(row.find_last_of(' ') + 1);
  fs::path image;
  for (const auto& e : fs::directory_iterator(synth())) {
    if (e.path().extension() == ".jpg" || e.path().extension() == ".png") image = e.path();
  }
  ASSERT_FALSE(image.empty());
  const fs::path out = dir_ / "files-out";
  const CommandResult r = run("detect " + quoted(image) + " --model " +
                              quoted(project() / weights) + " --out " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(out / "detections.json");
  ASSERT_TRUE(in);
  EXPECT_EQ(Json::parse(in).size(), 1u);
}

TEST_F(TrainedProject, EvaluateWithAMissingModelFails) {
  const CommandResult r = run("evaluate " + quoted(project()) + " --model 99 --images " +
                                  quoted(synth()) + " --annotations " + quoted(synth()),
                              true);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("no model 99"));
}

// A `boxloop train` killed mid-run leaves its job `running`. The next run hands it back to the
// queue as a dead worker's job (never failing it, never blocked by it): the same command runs
// that job again to its end; a run with other options leaves it to the workers and says so.
TEST(ModelCliAbandonedJob, TheSameTrainCommandFinishesTheJobOfAKilledRunAndAnotherIsRefused) {
  const fs::path dir = fresh_dir("abandoned");
  const fs::path project = dir / "P";
  ASSERT_EQ(make_project(project, dir / "S", true), "");
  const std::string train =
      "train " + quoted(project) + " --from scratch --steps 100 --input-size 96 --batch 4";
  Id killed_job = 0;
  {
    testing::BackgroundCommand killed(train, dir / "killed.log");
    auto store = Store::open(project);
    for (int i = 0; i < 1200 && killed_job == 0; ++i) {
      usleep(50'000);
      for (const Job& job : store->jobs()) {
        if (job.state == JobState::kRunning && job.progress > 0) killed_job = job.id;
      }
    }
    ASSERT_NE(killed_job, 0) << "the first run did not start training";
    killed.stop(SIGKILL);
  }
  // Other options: the handed-back job is not this run's, and stays queued for a worker.
  const CommandResult other =
      run("train " + quoted(project) + " --from scratch --steps 2 --input-size 96 --batch 4", true);
  EXPECT_NE(other.exit_code, 0);
  EXPECT_THAT(other.output, HasSubstr("is queued"));
  EXPECT_EQ(Store::open(project)->job(killed_job)->state, JobState::kQueued);

  const CommandResult again = run(train, true);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  auto store = Store::open(project);
  EXPECT_EQ(store->job(killed_job)->state, JobState::kDone);
  EXPECT_EQ(store->jobs().size(), 1u) << "the rerun ran the killed run's job, not a new one";
  EXPECT_EQ(store->models().size(), 1u);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

class ModelCliErrors : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = fresh_dir("errors"); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(ModelCliErrors, TrainWithoutLabelsFailsWithAMessage) {
  const fs::path project = dir_ / "P";
  ASSERT_EQ(make_project(project, dir_ / "S", false), "");
  const CommandResult r =
      run("train " + quoted(project) + " --from scratch --epochs 1 --input-size 96", true);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("error:"));
  EXPECT_THAT(r.output, HasSubstr("label"));
  const CommandResult list = run("model list " + quoted(project));
  EXPECT_THAT(list.output, HasSubstr("no models yet"));
}

TEST_F(ModelCliErrors, ImportOfAGarbageFileFailsAndKeepsNothing) {
  const fs::path project = dir_ / "P";
  ASSERT_EQ(run("init " + quoted(project) + " --categories a,b", true).exit_code, 0);
  const fs::path garbage = dir_ / "garbage.pth";
  std::ofstream(garbage) << "this is not a checkpoint\n";
  const CommandResult r =
      run("model import " + quoted(garbage) + " --project " + quoted(project), true);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("error:"));
  EXPECT_THAT(r.output, HasSubstr("garbage.pth"));
  const fs::path models = project / "models";
  if (fs::exists(models)) {
    for (const auto& e : fs::recursive_directory_iterator(models)) {
      EXPECT_FALSE(e.is_regular_file()) << "left behind: " << e.path();
    }
  }
}

}  // namespace
}  // namespace boxloop
