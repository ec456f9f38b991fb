// `boxloop loop` and `boxloop score` through the built binary: settings change and print, and bad
// input fails with a message and changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "common/temp_dir.h"
#include "loop_project.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::TempDir;
using ::testing::HasSubstr;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult run(const std::string& arguments) {
  const std::string command = std::string(BOXLOOP_BINARY) + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

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
