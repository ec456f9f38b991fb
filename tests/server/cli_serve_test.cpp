// The CLI front end of the server, run as a separate process: `boxloop demo` creates and serves a
// project, `boxloop user add` prints a working token, and SIGTERM stops `serve` cleanly.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"

namespace boxloop::server::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A child process whose stdout we read line by line.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_) fclose(out_);
  }
  // The next line of stdout (empty at end of output).
  std::string line() {
    char buffer[4096];
    if (!fgets(buffer, sizeof buffer, out_)) return "";
    return buffer;
  }
  // Reads lines until one matches; returns the first capture group.
  std::string wait_for(const std::regex& pattern) {
    for (std::string text = line(); !text.empty(); text = line()) {
      std::smatch match;
      if (std::regex_search(text, match, pattern)) return match.size() > 1 ? match[1].str() : text;
    }
    return "";
  }
  // Sends `signal` and waits up to `timeout`; the exit status, or -1 when it did not exit.
  int stop(int signal, std::chrono::milliseconds timeout) {
    kill(pid_, signal);
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  FILE* out_ = nullptr;
};

class CliServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("boxloop-cli-serve-" + std::to_string(random()));
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

const std::regex kUrlPort(R"(http://127\.0\.0\.1:(\d+)/)");

TEST_F(CliServeTest, DemoCreatesAProjectServesItAndStopsOnSigterm) {
  const std::string project = (dir_ / "demo").string();
  {
    Child demo({BOXLOOP_BINARY, "demo", project, "--port", "0", "--count", "3"});
    const std::string port =
        demo.wait_for(std::regex(R"(boxloop demo: open http://127\.0\.0\.1:(\d+)/)"));
    ASSERT_FALSE(port.empty());
    httplib::Client client("127.0.0.1", std::stoi(port));
    auto stats = client.Get("/api/stats");
    ASSERT_TRUE(stats);
    ASSERT_EQ(stats->status, 200);
    const Json counts = Json::parse(stats->body);
    EXPECT_EQ(counts["images"]["total"], 3);
    EXPECT_EQ(counts["images"]["unlabeled"], 3) << "the demo must not import labels";
    EXPECT_EQ(counts["categories"].size(), 6u);
    EXPECT_EQ(demo.stop(SIGTERM, 10s), 0);
  }
  // A second run serves the same project instead of generating another.
  Child again({BOXLOOP_BINARY, "demo", project, "--port", "0", "--count", "5"});
  const std::string port = again.wait_for(kUrlPort);
  ASSERT_FALSE(port.empty());
  httplib::Client client("127.0.0.1", std::stoi(port));
  EXPECT_EQ(Json::parse(client.Get("/api/stats")->body)["images"]["total"], 3);
  EXPECT_EQ(again.stop(SIGINT, 10s), 0);
}

TEST_F(CliServeTest, UserAddPrintsATokenTheServerAccepts) {
  const std::string project = (dir_ / "demo").string();
  {
    // --count 1 keeps this quick; the demo is the shortest way to a project from the CLI alone.
    Child demo({BOXLOOP_BINARY, "demo", project, "--port", "0", "--count", "1"});
    ASSERT_FALSE(demo.wait_for(kUrlPort).empty());
    ASSERT_EQ(demo.stop(SIGTERM, 10s), 0);
  }
  Child add({BOXLOOP_BINARY, "user", "add", project, "lee", "--role", "labeler"});
  std::string token;
  for (std::string text = add.line(); !text.empty(); text = add.line()) token = text;
  ASSERT_EQ(add.wait(), 0);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  ASSERT_FALSE(token.empty());

  Child list({BOXLOOP_BINARY, "user", "list", project});
  EXPECT_NE(list.line().find("lee\tlabeler"), std::string::npos);
  EXPECT_EQ(list.wait(), 0);

  Child serve({BOXLOOP_BINARY, "serve", project, "--port", "0"});
  const std::string port = serve.wait_for(kUrlPort);
  ASSERT_FALSE(port.empty());
  httplib::Client client("127.0.0.1", std::stoi(port));
  EXPECT_EQ(client.Get("/api/me")->status, 401);
  client.set_bearer_token_auth(token);
  auto me = client.Get("/api/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(Json::parse(me->body)["name"], "lee");
  EXPECT_EQ(serve.stop(SIGTERM, 10s), 0);
}

// A project without users lets anyone in as an admin: it stays on loopback unless --host is
// given, and the start-up says which.
TEST_F(CliServeTest, AProjectWithoutUsersStaysOnLoopbackUnlessHostIsGiven) {
  const std::string project = (dir_ / "demo").string();
  {
    Child demo({BOXLOOP_BINARY, "demo", project, "--port", "0", "--count", "1"});
    EXPECT_FALSE(demo.wait_for(std::regex("has no users.*loopback only")).empty());
    ASSERT_FALSE(demo.wait_for(kUrlPort).empty());
    ASSERT_EQ(demo.stop(SIGTERM, 10s), 0);
  }
  Child exposed({BOXLOOP_BINARY, "serve", project, "--port", "0", "--host", "0.0.0.0"});
  EXPECT_FALSE(
      exposed.wait_for(std::regex("WARNING: this project has no users and --host 0\\.0\\.0\\.0"))
          .empty());
  const std::string port = exposed.wait_for(std::regex(R"(http://0\.0\.0\.0:(\d+)/)"));
  ASSERT_FALSE(port.empty());
  httplib::Client client("127.0.0.1", std::stoi(port));
  auto stats = client.Get("/api/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  EXPECT_EQ(exposed.stop(SIGTERM, 10s), 0);
}

}  // namespace
}  // namespace boxloop::server::testing
