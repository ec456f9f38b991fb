// `boxloop loop` and `boxloop score` through the built binary: settings change and print, and bad
// input fails with a message and changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "common/cli_process.h"
#include "common/temp_dir.h"
#include "loop_project.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::CommandOutput;
using boxloop::testing::CommandResult;
using boxloop::testing::run_cli;
using boxloop::testing::TempDir;
using ::testing::HasSubstr;

CommandResult run(const std::string& arguments) { return run_cli(arguments); }

TEST(LoopCliTest, SetsAndPrintsTheLoop) {
  TempDir dir{"boxloop-loop-cli-"};
  testing::LoopProject project(dir.path() / "p", {"ace"}, 3);
  project.label(0);
  const std::string p = "'" + (dir.path() / "p").string() + "'";

  CommandResult r = run("loop " + p + " --every 4 --strategy margin --disable");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("loop disabled: a round every 4 labels, strategy margin"));
  EXPECT_THAT(r.output, HasSubstr("1 labels since the last round"));
  EXPECT_THAT(r.output, HasSubstr("state idle"));

  r = run("loop " + p + " --strategy no_such_measure");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("strategy"));
  r = run("loop " + p + " --every 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("every"));
  EXPECT_EQ(project.store().settings().strategy, "margin") << "a refused change wrote something";

  r = run("loop " + p + " --enable --run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("round queued: train job"));
  EXPECT_THAT(r.output, HasSubstr("state queued"));
  r = run("loop " + p + " --run");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("already queued"));
}

// A worker refuses what would make it misbehave before it claims anything: heartbeats too sparse
// for its own allowance, a device this LibTorch lacks (Debian's is CPU-only; a CUDA build would
// start), a folder that is no project.
TEST(LoopCliTest, WorkerRefusesBadOptionsBeforeClaimingAJob) {
  TempDir dir{"boxloop-loop-cli-"};
  testing::LoopProject project(dir.path() / "p", {"ace"}, 2);
  const std::string p = "'" + (dir.path() / "p").string() + "'";
  const Job queued = project.store().create_job(JobKind::kScore, Json{{"model", "last"}});

  CommandResult r = run("worker " + p + " --heartbeat 5 --stale-after 6");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("--stale-after"));
  r = run("worker " + p + " --device tpu");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("device"));
  // Under `timeout`: a CUDA build with a GPU would start and run until stopped (exit 124).
  r = run_cli("worker " + p + " --device cuda", CommandOutput::kBoth, "timeout 20");
  if (r.exit_code != 124) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_THAT(r.output, HasSubstr("CUDA"));
  }
  r = run("worker '" + (dir.path() / "nowhere").string() + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(project.store().job(queued.id)->state, JobState::kQueued) << "a refused worker claimed";
}

TEST(LoopCliTest, ScoreWithoutAModelSaysToTrainFirst) {
  TempDir dir{"boxloop-loop-cli-"};
  testing::LoopProject project(dir.path() / "p", {"ace"}, 2);
  const CommandResult r = run("score '" + (dir.path() / "p").string() + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("model"));
  EXPECT_FALSE(project.store().queue_info().is_object());
}

}  // namespace
}  // namespace boxloop::loop
