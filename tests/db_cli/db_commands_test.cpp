// `boxloop db copy` and `--db` end to end: a SQLite project moved into the test PostgreSQL server
// reads the same through the CLI and is served from there.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/cli_process.h"
#include "common/postgres_server.h"
#include "common/synth_project.h"
#include "common/temp_dir.h"
#include "core/json.h"
#include "store/store.h"

namespace boxloop::testing {
namespace {

CommandResult run(const std::string& arguments, const std::string& environment = "") {
  return run_cli(arguments, CommandOutput::kStdout, environment);
}

// A SQLite project with labels, made through the store (the CLI's own tests cover making one).
void make_project(const std::filesystem::path& dir) {
  auto store = Store::create(dir, "cards", {Category{0, "nine", "1", "", 0}});
  const Id nine = store->category_by_name("nine")->id;
  for (int i = 0; i < 4; ++i) {
    const Image image =
        store->add_image("img_" + std::to_string(i) + ".jpg", "sha_" + std::to_string(i), 64, 48);
    if (i == 3) continue;
    LabelSave save;
    save.image_id = image.id;
    save.labeler = "ann";
    save.active_seconds = 1.5 + i;
    for (int b = 0; b <= i; ++b) {
      Annotation box;
      box.category_id = nine;
      box.box = Box{1.0 / 3 + b, 2, 10, 10};
      save.boxes.push_back(box);
    }
    store->save_labels(save);
  }
  store->add_user("ann", UserRole::kAdmin, "pw");
}

class DbCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PostgresServer& server = PostgresServer::shared();
    if (!server.available()) GTEST_SKIP() << server.why_unavailable();
    url_ = server.create_database();
    project_ = temp_.path() / "cards";
    make_project(project_);
  }
  void TearDown() override {
    if (!url_.empty()) PostgresServer::shared().drop_database(url_);
  }
  TempDir temp_;
  std::filesystem::path project_;
  std::string url_;
};

TEST_F(DbCommandsTest, ACopiedProjectReadsTheSameThroughTheCliAndRefusesASecondCopy) {
  const CommandResult before = run("stats " + project_.string() + " --json");
  ASSERT_EQ(before.exit_code, 0) << before.output;

  const CommandResult copy = run("db copy " + project_.string() + " " + url_);
  ASSERT_EQ(copy.exit_code, 0) << copy.output;
  EXPECT_NE(copy.output.find("label_event\t3"), std::string::npos) << copy.output;
  EXPECT_NE(copy.output.find("annotation\t6"), std::string::npos) << copy.output;

  const CommandResult after = run("stats " + project_.string() + " --json --db " + url_);
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(Json::parse(after.output), Json::parse(before.output));
  // $BOXLOOP_DB does what --db does.
  const CommandResult by_env =
      run("stats " + project_.string() + " --json", "BOXLOOP_DB='" + url_ + "'");
  ASSERT_EQ(by_env.exit_code, 0);
  EXPECT_EQ(Json::parse(by_env.output), Json::parse(before.output));
  EXPECT_NE(run("user list " + project_.string() + " --db " + url_).output.find("ann\tadmin"),
            std::string::npos);

  EXPECT_NE(run("db copy " + project_.string() + " " + url_).exit_code, 0);
  EXPECT_NE(run("db copy " + project_.string() + " /not/a/url").exit_code, 0);
}

// `boxloop serve PROJECT --db URL --port 0` in the background, stopped when destroyed; with its
// loop worker or --no-loop.
class ServerProcess {
 public:
  ServerProcess(const std::filesystem::path& project, const std::string& database,
                const std::filesystem::path& log, bool loop = false)
      : command_("serve " + project.string() + " --db " + database + " --port 0" +
                     (loop ? "" : " --no-loop"),
                 log) {
    // Its banner names the URL it listens on.
    for (int i = 0; i < 400 && url_.empty(); ++i) {
      usleep(50'000);
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line)) {
        const std::size_t at = line.find("http://");
        // httplib's client takes scheme, host and port only: the banner's URL ends in "/".
        if (at != std::string::npos) url_ = line.substr(at, line.find('/', at + 7) - at);
      }
    }
  }

  const std::string& url() const { return url_; }

  // A session token for the copied user "ann".
  std::string login() const {
    httplib::Client client(url_);
    const auto response = client.Post(
        "/api/login", Json{{"name", "ann"}, {"password", "pw"}}.dump(), "application/json");
    if (!response || response->status != 200) return "";
    return Json::parse(response->body).value("token", "");
  }

 private:
  BackgroundCommand command_;
  std::string url_;
};

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

TEST_F(DbCommandsTest, ServeWithDbServesThePostgresProject) {
  ASSERT_EQ(run("db copy " + project_.string() + " " + url_).exit_code, 0);
  // With its loop: the worker opens the project on PostgreSQL and takes the database's training
  // lock at start.
  const ServerProcess server(project_, url_, temp_.path() / "serve.log", /*loop=*/true);
  ASSERT_FALSE(server.url().empty()) << "the server did not start";
  const std::string token = server.login();
  ASSERT_FALSE(token.empty()) << "the copied user cannot log in";
  httplib::Client client(server.url());
  const auto project = client.Get("/api/project", bearer(token));
  ASSERT_TRUE(project);
  EXPECT_EQ(project->status, 200) << project->body;
  EXPECT_EQ(Json::parse(project->body).value("name", ""), "cards");
  const auto stats = client.Get("/api/stats", bearer(token));
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200) << stats->body;
  EXPECT_NE(stats->body.find("\"labeled\":3"), std::string::npos) << stats->body;
}

// Two servers on one database: a save through one reaches the other's data at once and its open
// pages as a `counts` event (LISTEN/NOTIFY).
TEST_F(DbCommandsTest, ASaveThroughOneServerReachesThePagesOfAnother) {
  ASSERT_EQ(run("db copy " + project_.string() + " " + url_).exit_code, 0);
  const ServerProcess first(project_, url_, temp_.path() / "first.log");
  const ServerProcess second(project_, url_, temp_.path() / "second.log");
  ASSERT_FALSE(first.url().empty());
  ASSERT_FALSE(second.url().empty());
  const std::string token = first.login();  // a session both servers accept: it is in the database
  ASSERT_FALSE(token.empty());

  // A page on the second server: its event stream, read until a counts event or 20 s.
  std::string stream;
  std::mutex mutex;
  std::atomic<bool> connected{false};
  std::thread page([&] {
    httplib::Client client(second.url());
    client.set_read_timeout(std::chrono::seconds(20));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    client.Get("/api/events", bearer(token), [&](const char* data, std::size_t size) {
      std::lock_guard lock(mutex);
      stream.append(data, size);
      if (stream.find(": connected") != std::string::npos) connected = true;
      return stream.find("event: counts") == std::string::npos &&
             std::chrono::steady_clock::now() < deadline;
    });
  });
  for (int i = 0; i < 200 && !connected; ++i) usleep(50'000);
  ASSERT_TRUE(connected) << "the second server's event stream did not open";

  // Skip the unlabeled image through the first server.
  httplib::Client client(first.url());
  const auto skip = client.Post("/api/images/4/skip", bearer(token), Json{{"version", 0}}.dump(),
                                "application/json");
  ASSERT_TRUE(skip);
  EXPECT_EQ(skip->status, 200) << skip->body;
  page.join();
  {
    std::lock_guard lock(mutex);
    const std::size_t at = stream.find("event: counts");
    ASSERT_NE(at, std::string::npos) << stream;
    EXPECT_NE(stream.find("\"skipped\":1", at), std::string::npos) << stream;
  }
  httplib::Client other(second.url());
  const auto stats = other.Get("/api/stats", bearer(token));
  ASSERT_TRUE(stats);
  EXPECT_NE(stats->body.find("\"skipped\":1"), std::string::npos) << stats->body;
}

// Team scale end to end (issue 16): two servers without loops and two `boxloop worker`s on one
// PostgreSQL project. A score job asked of one server is scored in parts by the workers and
// publishes one queue that the other server serves; a worker killed in the middle of a training
// loses its job to the other, which finishes it.
TEST_F(DbCommandsTest, TwoServersAndTwoWorkersShareTheJobsAndSurviveAKilledWorker) {
  const std::filesystem::path project = temp_.path() / "synth";
  {
    auto made = make_synth_project(project, kTwoCategories, 6, 10);
    made->add_user("ann", UserRole::kAdmin, "pw");
    made->update_settings(Json{{"audit_fraction", 0}});  // next serves the queue's head
  }
  ASSERT_EQ(run("db copy " + project.string() + " " + url_).exit_code, 0);
  const std::string db = " --db " + url_;
  // A first model, and rounds off: the only jobs are the test's.
  ASSERT_EQ(run("train " + project.string() + db +
                " --from scratch --input-size 64 --steps 2 --batch 2 --val-fraction 0 --workers 0")
                .exit_code,
            0);
  ASSERT_EQ(run("loop " + project.string() + db + " --disable").exit_code, 0);

  const ServerProcess first(project, url_, temp_.path() / "first.log");
  const ServerProcess second(project, url_, temp_.path() / "second.log");
  ASSERT_FALSE(first.url().empty());
  ASSERT_FALSE(second.url().empty());
  const std::string token = first.login();
  ASSERT_FALSE(token.empty());
  const std::string worker_options = " --heartbeat 0.2 --stale-after 1.5";
  BackgroundCommand worker_a("worker " + project.string() + db + " --name a" + worker_options,
                             temp_.path() / "a.log");
  BackgroundCommand worker_b("worker " + project.string() + db + " --name b" + worker_options,
                             temp_.path() / "b.log");
  StoreOptions options;
  options.database = url_;
  auto store = Store::open(project, options);
  const auto job_state = [&](Id id) { return store->job(id).value().state; };
  const auto wait_until = [](const std::function<bool()>& condition, int seconds) {
    for (int i = 0; i < seconds * 20; ++i) {
      if (condition()) return true;
      usleep(50'000);
    }
    return condition();
  };

  // A score job in parts of 3, asked of the first server.
  httplib::Client client(first.url());
  const auto queued = client.Post(
      "/api/jobs", bearer(token),
      Json{{"kind", "score"}, {"params", {{"model", "last"}, {"part_images", 3}}}}.dump(),
      "application/json");
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->status, 201) << queued->body;
  const Id score = Json::parse(queued->body).at("id").get<Id>();
  ASSERT_TRUE(wait_until([&] { return job_state(score) == JobState::kDone; }, 180))
      << to_string(job_state(score)) << " " << store->job(score)->error;
  const std::vector<Job> parts = store->child_jobs(score);
  ASSERT_EQ(parts.size(), 4u);  // 3 + 3 + 3 + 1 unlabeled images
  for (const Job& part : parts) EXPECT_EQ(part.state, JobState::kDone) << part.error;
  // One queue, published once, and the second server serves it.
  EXPECT_EQ(store->queue().size(), 10u);
  EXPECT_EQ(store->queue_model(), store->latest_model()->id);
  httplib::Client other(second.url());
  const auto next = other.Get("/api/next", bearer(token));
  ASSERT_TRUE(next);
  ASSERT_EQ(next->status, 200) << next->body;
  EXPECT_EQ(Json::parse(next->body).at("image").at("id").get<Id>(), store->queue()[0].image_id);

  // A training long enough to kill its worker in the middle.
  const auto train = client.Post("/api/jobs", bearer(token),
                                 Json{{"kind", "train"},
                                      {"params",
                                       {{"from", "scratch"},
                                        {"input_size", 64},
                                        {"steps", 150},
                                        {"batch", 2},
                                        {"val_fraction", 0},
                                        {"workers", 0}}}}
                                     .dump(),
                                 "application/json");
  ASSERT_TRUE(train);
  ASSERT_EQ(train->status, 201) << train->body;
  const Id training = Json::parse(train->body).at("id").get<Id>();
  ASSERT_TRUE(wait_until(
      [&] {
        const Job job = store->job(training).value();
        return job.state != JobState::kQueued &&
               (job.state != JobState::kRunning || job.progress > 0);
      },
      120));
  const Job running = store->job(training).value();
  ASSERT_EQ(running.state, JobState::kRunning) << running.error;
  ASSERT_TRUE(running.worker == "a" || running.worker == "b") << running.worker;
  const std::string survivor = running.worker == "a" ? "b" : "a";
  (running.worker == "a" ? worker_a : worker_b).stop(SIGKILL);
  const std::size_t models_before = store->models().size();
  ASSERT_TRUE(wait_until([&] { return job_state(training) == JobState::kDone; }, 300))
      << to_string(job_state(training)) << " " << store->job(training)->error;
  EXPECT_EQ(store->job(training)->worker, survivor);
  EXPECT_EQ(store->models().size(), models_before + 1);
}

}  // namespace
}  // namespace boxloop::testing
