// End to end through the built `boxloop` binary: init -> synth -> import -> import-labels ->
// stats --json -> export, and bad commands failing with a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "common/cli_process.h"
#include "core/json.h"

namespace boxloop {
namespace {

namespace fs = std::filesystem;
using boxloop::testing::CommandResult;
using boxloop::testing::run_cli;
using ::testing::HasSubstr;

CommandResult run(const std::string& arguments) { return run_cli(arguments); }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("boxloop-cli-test-" + std::to_string(random()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

int count_boxes_in_voc(const fs::path& dir) {
  int boxes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".xml") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto at = text.find("<object>"); at != std::string::npos;
         at = text.find("<object>", at + 1)) {
      ++boxes;
    }
  }
  return boxes;
}

TEST_F(CliTest, InitSynthImportLabelStatsExport) {
  const std::string project = path("project");
  CommandResult r = run("init " + project + " --categories nine,ten,jack,queen,king,ace");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("nine[1] ten[2] jack[3] queen[4] king[5] ace[6]"));

  r = run("synth " + path("synth") + " --count 8 --seed 5 --width 160 --height 120");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("wrote 8 images"));
  const int boxes = count_boxes_in_voc(dir_ / "synth");
  EXPECT_GE(boxes, 8);

  r = run("import " + project + " " + path("synth"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("added     " + path("synth/synth_5_0.jpg") + " -> synth_5_0.jpg"));
  EXPECT_THAT(r.output, HasSubstr("8 added, 0 duplicate, 0 rejected"));

  r = run("import-labels " + project + " " + path("synth") + " --labeler tester");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("labeled 8 images with " + std::to_string(boxes) + " boxes"));

  r = run("stats " + project + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Json stats = Json::parse(r.output.substr(r.output.find('{')));
  EXPECT_EQ(stats["images"]["total"], 8);
  EXPECT_EQ(stats["images"]["labeled"], 8);
  EXPECT_EQ(stats["images"]["unlabeled"], 0);
  EXPECT_EQ(stats["boxes"], boxes);
  int per_category = 0;
  for (const auto& c : stats["categories"]) per_category += c["boxes"].get<int>();
  EXPECT_EQ(per_category, boxes);
  EXPECT_EQ(stats["categories"].size(), 6u);

  r = run("stats " + project);
  EXPECT_THAT(r.output, HasSubstr("images  8 (0 unlabeled, 8 labeled, 0 skipped)"));

  for (const std::string format : {"coco", "voc", "yolo", "csv"}) {
    const std::string out = path("export-" + format);
    r = run("export " + project + " --format " + format + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("wrote 8 images, " + std::to_string(boxes) + " boxes"));
    EXPECT_TRUE(fs::exists(out));
  }
  EXPECT_EQ(count_boxes_in_voc(dir_ / "export-voc"), boxes);
  std::ifstream coco_file(dir_ / "export-coco");
  const Json coco = Json::parse(coco_file);
  EXPECT_EQ(coco["annotations"].size(), static_cast<std::size_t>(boxes));

  // Importing the same folder again: all duplicates, still exit 0.
  r = run("import " + project + " " + path("synth"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("0 added, 8 duplicate, 0 rejected"));
}

TEST_F(CliTest, ImportReportsRejectedFilesAndExitsNonZero) {
  const std::string project = path("p");
  ASSERT_EQ(run("init " + project + " --categories a,b").exit_code, 0);
  std::ofstream(dir_ / "fake.jpg") << "not an image";
  std::ofstream(dir_ / "empty.png");
  const CommandResult r =
      run("import " + project + " " + path("fake.jpg") + " " + path("empty.png"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("rejected  " + path("fake.jpg") + ": not an image"));
  EXPECT_THAT(r.output, HasSubstr("rejected  " + path("empty.png") + ": empty file (0 bytes)"));
  EXPECT_THAT(r.output, HasSubstr("0 added, 0 duplicate, 2 rejected"));
  EXPECT_THAT(r.output, HasSubstr("error: 2 of 2 files rejected"));
  EXPECT_TRUE(fs::is_empty(dir_ / "p" / "images"));
}

TEST_F(CliTest, BadCommandsFailWithAMessage) {
  CommandResult r = run("stats " + path("no-such-project"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("error:"));

  r = run("init " + path("p") + " --categories a,b --hotkeys 1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("--hotkeys lists 1 keys for 2 categories"));
  r = run("init " + path("q") + " --categories a,a");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("category 'a' is listed twice"));

  ASSERT_EQ(run("init " + path("p") + " --categories a,b").exit_code, 0);
  r = run("init " + path("p") + " --categories a,b");
  EXPECT_NE(r.exit_code, 0);
  r = run("export " + path("p") + " --format xlsx --out " + path("x"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("xlsx"));
  r = run("synth " + path("s"));  // --count and --seed are required
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("--count is required"));
  r = run("import-labels " + path("p") + " " + path("missing.json"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("missing.json"));
}

TEST_F(CliTest, EveryProjectCommandHasHelp) {
  for (const std::string command :
       {"init", "import", "import-labels", "export", "stats", "synth"}) {
    const CommandResult r = run(command + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.output, HasSubstr("Usage:")) << command;
  }
}

}  // namespace
}  // namespace boxloop
