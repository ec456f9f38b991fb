// An in-process server on an ephemeral port over a fresh project of small synthetic card images,
// and a client for it. Each test gets its own project folder.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/json.h"
#include "server/server.h"
#include "store/store.h"

namespace boxloop::server::testing {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts the server (call after adding users, if a test wants them from the start).
  void start_server(ServerOptions options = {});

  // A client of the running server; `token` is sent as a bearer token.
  httplib::Client client(const std::optional<std::string>& token = std::nullopt) const;

  static Json json_of(const httplib::Result& result);

  // Labels an image through the API; returns the response.
  httplib::Result put_labels(httplib::Client& client, Id image_id, int version, const Json& boxes,
                             const std::string& comment = "");

  Id category_id(const std::string& name);

  // What requests may change: settings, images with their boxes and events, jobs, models and
  // users. Equal before and after a refused request, or something was written.
  Json data_snapshot();

  static constexpr int kImageCount = 6;
  static constexpr int kWidth = 160;
  static constexpr int kHeight = 120;

  std::filesystem::path dir_;
  std::filesystem::path web_root_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Server> server_;
};

// A ServerTest whose project has users from the start: an admin and two labelers, with the
// tokens their clients send.
class ServerTestWithUsers : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    admin_ = store_->add_user("ada", UserRole::kAdmin);
    alice_ = store_->add_user("alice", UserRole::kLabeler);
    bob_ = store_->add_user("bob", UserRole::kLabeler);
  }

  std::string admin_;
  std::string alice_;
  std::string bob_;
};

}  // namespace boxloop::server::testing
