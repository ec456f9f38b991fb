// A throwaway PostgreSQL server for the tests of the store's PostgreSQL back end: `initdb` into a
// temporary folder, `postgres` on a free loopback port (its socket in that folder too), a fresh
// database per test, and the whole cluster stopped and removed when the test program ends (a
// gtest Environment, also after failed tests). Started on first use, once per test program.
//
// It needs the server binaries (Debian's `postgresql` package: /usr/lib/postgresql/N/bin, or
// BOXLOOP_PG_BIN); without them available() is false and the PostgreSQL variants skip, saying so.
// PostgreSQL refuses to run as root, so under root (CI) it runs as the `postgres` user (initdb
// through runuser; the server forked and switched to that user here). The server is this
// process's child with a parent-death signal: a test program that crashes takes its server with
// it, and the next run removes the folders such runs left. fsync is off: the tests check
// behaviour, not crash safety, and a cluster per run is thrown away anyway.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres_database.h"

namespace boxloop::testing {

class PostgresServer {
 public:
  static PostgresServer& shared() {
    static PostgresServer server;
    return server;
  }
  ~PostgresServer() { stop(); }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  bool available() const { return !bin_.empty(); }
  const std::string& why_unavailable() const { return why_; }

  // A URL of a fresh, empty database (the server starts on the first call). Throws
  // std::runtime_error with the server's log when it cannot start.
  std::string create_database() {
    std::lock_guard lock(mutex_);
    if (!started_) start();
    const std::string name = "t" + std::to_string(++databases_);
    admin_->exec("CREATE DATABASE " + name);
    return url(name);
  }

  // Drops a database create_database made, with any connection still open to it.
  void drop_database(const std::string& database_url) {
    std::lock_guard lock(mutex_);
    if (!started_) return;
    const std::string name = database_url.substr(database_url.rfind('/') + 1);
    admin_->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  // The URL of a database that does not exist on this server.
  std::string missing_database_url() const { return url("no_such_database"); }

  void stop() {
    std::lock_guard lock(mutex_);
    admin_.reset();
    if (server_pid_ > 0) {
      // SIGQUIT: PostgreSQL's immediate shutdown; its children go with it.
      ::kill(server_pid_, SIGQUIT);
      int status = 0;
      ::waitpid(server_pid_, &status, 0);
      server_pid_ = -1;
    }
    started_ = false;
    if (!root_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(root_, ec);
      root_.clear();
    }
  }

 private:
  PostgresServer() {
    if (const char* dir = std::getenv("BOXLOOP_PG_BIN")) {
      bin_ = dir;
    } else {
      // Debian installs each major version under /usr/lib/postgresql/N/bin, not on the PATH.
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
        const auto bin = entry.path() / "bin";
        if (std::filesystem::exists(bin / "initdb") && (bin_.empty() || bin > bin_)) bin_ = bin;
      }
    }
    if (bin_.empty() || !std::filesystem::exists(bin_ / "initdb") ||
        !std::filesystem::exists(bin_ / "postgres")) {
      why_ =
          "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb; install "
          "Debian's postgresql package or set BOXLOOP_PG_BIN): PostgreSQL variants skipped";
      bin_.clear();
      return;
    }
    if (::geteuid() == 0) {
      const passwd* user = ::getpwnam("postgres");
      if (!user) {
        why_ = "running as root and there is no postgres user to run the test server as";
        bin_.clear();
        return;
      }
      owner_uid_ = user->pw_uid;
      owner_gid_ = user->pw_gid;
      as_owner_ = true;
    }
  }

  std::string pg(const char* program) const { return (bin_ / program).string(); }

  std::string url(const std::string& database) const {
    return "postgresql://boxloop@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  // Runs a shell command, as the postgres user when we are root.
  void run(const std::string& command) {
    const std::string line =
        as_owner_ ? "runuser -u postgres -- sh -c '" + command + "'" : "sh -c '" + command + "'";
    const int rc = std::system(line.c_str());
    if (rc != 0) {
      throw std::runtime_error("test PostgreSQL: `" + command + "` failed (" + std::to_string(rc) +
                               "):\n" + logs());
    }
  }

  std::string logs() const {
    std::string text;
    for (const char* name : {"initdb.log", "server.log"}) {
      std::ifstream in(root_ / name);
      std::stringstream content;
      content << in.rdbuf();
      if (!content.str().empty()) text += std::string("--- ") + name + "\n" + content.str();
    }
    return text;
  }

  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t size = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("test PostgreSQL: no free loopback port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
  }

  // Removes the folders of earlier runs whose server is gone (a crashed or killed test program).
  // A folder younger than ten minutes may be another test program's, still starting.
  static void remove_stale_clusters() {
    std::error_code ec;
    const auto now = std::filesystem::file_time_type::clock::now();
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::temp_directory_path(), ec)) {
      if (entry.path().filename().string().rfind("boxloop-pg-", 0) != 0) continue;
      const auto age = now - std::filesystem::last_write_time(entry.path(), ec);
      if (ec || age < std::chrono::minutes(10)) continue;
      std::ifstream pid_file(entry.path() / "data" / "postmaster.pid");
      long pid = 0;
      if (pid_file >> pid && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;
      std::filesystem::remove_all(entry.path(), ec);
    }
  }

  // Forks the server as the cluster's owner, logging to server.log. The parent-death signal is
  // set after the switch of user (a change of credentials clears it).
  void spawn_server() {
    const std::string postgres = pg("postgres");
    std::vector<std::string> args = {postgres,
                                     "-D",
                                     (root_ / "data").string(),
                                     "-p",
                                     std::to_string(port_),
                                     "-k",
                                     root_.string(),
                                     "-c",
                                     "listen_addresses=127.0.0.1",
                                     "-c",
                                     "fsync=off",
                                     "-c",
                                     "full_page_writes=off",
                                     "-c",
                                     "max_connections=300"};
    const int log = ::open((root_ / "server.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("test PostgreSQL: fork failed");
    if (pid == 0) {
      if (log >= 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
      }
      if (as_owner_ && (::setgid(owner_gid_) != 0 || ::setuid(owner_uid_) != 0)) ::_exit(126);
      ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
      if (::getppid() != parent) ::_exit(125);  // the test program is gone already
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(postgres.c_str(), argv.data());
      ::_exit(127);
    }
    if (log >= 0) ::close(log);
    server_pid_ = pid;
  }

  void start() {
    remove_stale_clusters();
    std::random_device random;
    root_ = std::filesystem::temp_directory_path() /
            ("boxloop-pg-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(root_);
    if (as_owner_ && ::chown(root_.c_str(), owner_uid_, owner_gid_) != 0) {
      throw std::runtime_error("test PostgreSQL: cannot hand " + root_.string() + " to postgres");
    }
    port_ = free_port();
    run(pg("initdb") + " -D " + (root_ / "data").string() +
        " -U boxloop --auth=trust -N -E UTF8 --locale=C > " + (root_ / "initdb.log").string() +
        " 2>&1");
    spawn_server();
    // Ready when it accepts a connection; a server that exits is a failure with its log.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      int status = 0;
      if (::waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
        server_pid_ = -1;
        throw std::runtime_error("test PostgreSQL: the server exited at start:\n" + logs());
      }
      try {
        admin_ = PostgresDatabase::open(url("postgres"));
        break;
      } catch (const std::exception& e) {
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error(std::string("test PostgreSQL: not ready after 60 s: ") +
                                   e.what() + "\n" + logs());
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    started_ = true;
  }

  std::mutex mutex_;
  std::filesystem::path bin_;
  std::string why_;
  bool as_owner_ = false;
  uid_t owner_uid_ = 0;
  gid_t owner_gid_ = 0;
  std::filesystem::path root_;
  int port_ = 0;
  bool started_ = false;
  pid_t server_pid_ = -1;
  int databases_ = 0;
  std::unique_ptr<PostgresDatabase> admin_;
};

// Stops and removes the server when the test program ends, whatever the tests did.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::shared().stop(); }
};

inline ::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace boxloop::testing
