#include "store/change_feed.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "core/error.h"
#include "store/postgres_database.h"

namespace boxloop {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& connection, std::function<void(const std::string&)>& on_change)
      : pqxx::notification_receiver(connection, kChangeChannel), on_change_(on_change) {}
  void operator()(const std::string& payload, int) override { on_change_(payload); }

 private:
  std::function<void(const std::string&)>& on_change_;
};

class PostgresChangeFeed final : public ChangeFeed {
 public:
  PostgresChangeFeed(std::string url, std::function<void(const std::string&)> on_change)
      : url_(std::move(url)), on_change_(std::move(on_change)) {
    connect();  // the first connection's failure is the caller's to see
    thread_ = std::thread([this] { run(); });
  }

  ~PostgresChangeFeed() override {
    stopping_ = true;
    thread_.join();
  }

 private:
  void connect() {
    receiver_.reset();
    connection_ = std::make_unique<pqxx::connection>(url_);
    receiver_ = std::make_unique<Receiver>(*connection_, on_change_);  // sends LISTEN
  }

  void run() {
    bool failing = false;
    while (!stopping_) {
      try {
        if (!connection_ || !receiver_) connect();
        // Short waits, so that a stop is seen within a fifth of a second.
        connection_->await_notification(0, 200'000);
        failing = false;
      } catch (const std::exception& e) {
        if (!failing) {
          spdlog::warn("change feed of {}: {} (retrying every second)", redact_postgres_url(url_),
                       e.what());
        }
        failing = true;
        receiver_.reset();
        connection_.reset();
        for (int i = 0; i < 5 && !stopping_; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      }
    }
  }

  std::string url_;
  std::function<void(const std::string&)> on_change_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<Receiver> receiver_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ChangeFeed> listen_for_changes(const std::string& url,
                                               std::function<void(const std::string&)> on_change) {
  try {
    return std::make_unique<PostgresChangeFeed>(url, std::move(on_change));
  } catch (const pqxx::broken_connection& e) {
    throw Error(ErrorCode::kIo, "cannot listen on " + redact_postgres_url(url) + ": " + e.what());
  }
}

}  // namespace boxloop
