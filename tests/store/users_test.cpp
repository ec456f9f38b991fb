// Users: API tokens, passwords, login sessions, roles.
#include <gtest/gtest.h>

#include <chrono>

#include "core/time.h"
#include "store/credentials.h"
#include "store/database.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

using namespace std::chrono_literals;

TEST_P(StoreTest, AnApiTokenIdentifiesItsUser) {
  EXPECT_FALSE(store().has_users());
  const std::string admin_token = store().add_user("root", UserRole::kAdmin);
  const std::string ann_token = store().add_user("ann", UserRole::kLabeler);
  EXPECT_TRUE(store().has_users());
  EXPECT_EQ(admin_token.size(), 64u);  // 32 random bytes as hex
  EXPECT_NE(admin_token, ann_token);

  const auto admin = store().user_for_token(admin_token);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->name, "root");
  EXPECT_EQ(admin->role, UserRole::kAdmin);
  EXPECT_EQ(store().user_for_token(ann_token)->role, UserRole::kLabeler);
  EXPECT_FALSE(store().user_for_token(""));
  EXPECT_FALSE(store().user_for_token(std::string(64, '0')));
  std::string tampered = ann_token;
  tampered[0] = tampered[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(store().user_for_token(tampered));

  const auto users = store().users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "root");
  EXPECT_EQ(users[1].name, "ann");
  expect_error(ErrorCode::kAlreadyExists, [&] { store().add_user("ann", UserRole::kAdmin); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_user("", UserRole::kAdmin); });
}

TEST_P(StoreTest, OnlyHashesOfTokensAndPasswordsAreStored) {
  const std::string token = store().add_user("ann", UserRole::kLabeler, "correct horse");
  const std::string session = store().login("ann", "correct horse").value();
  auto db = open_database();
  auto select = db->prepare(
      "SELECT token_hash FROM \"user\" UNION ALL SELECT password_hash FROM \"user\" "
      "UNION ALL SELECT token_hash FROM session");
  std::string stored;
  while (select.step()) stored += select.text(0);
  EXPECT_EQ(stored.find(token), std::string::npos);
  EXPECT_EQ(stored.find(session), std::string::npos);
  EXPECT_EQ(stored.find("correct horse"), std::string::npos);
  EXPECT_NE(stored.find(sha256_hex(token)), std::string::npos);
  EXPECT_NE(stored.find("pbkdf2-sha256$"), std::string::npos);
}

TEST_P(StoreTest, LoginChecksThePasswordAndLogoutEndsTheSession) {
  store().add_user("ann", UserRole::kLabeler, "s3cret!");
  store().add_user("tokenonly", UserRole::kAdmin);
  EXPECT_FALSE(store().login("ann", "wrong"));
  EXPECT_FALSE(store().login("ann", ""));
  EXPECT_FALSE(store().login("nobody", "s3cret!"));
  EXPECT_FALSE(store().login("tokenonly", ""));  // no password set: no login

  const auto session = store().login("ann", "s3cret!");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->size(), 64u);
  EXPECT_EQ(store().user_for_token(*session)->name, "ann");
  const auto second = store().login("ann", "s3cret!");  // a second browser
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *session);

  store().logout(*session);
  EXPECT_FALSE(store().user_for_token(*session));
  EXPECT_EQ(store().user_for_token(*second)->name, "ann");  // only that session ended
  store().logout("not-a-token");                            // harmless
}

TEST_P(StoreTest, ANewPasswordReplacesTheOldAndEndsSessions) {
  store().add_user("ann", UserRole::kLabeler, "old password");
  const auto session = store().login("ann", "old password").value();
  store().set_password("ann", "new password");
  EXPECT_FALSE(store().login("ann", "old password"));
  EXPECT_TRUE(store().login("ann", "new password"));
  EXPECT_FALSE(store().user_for_token(session));
  expect_error(ErrorCode::kNotFound, [&] { store().set_password("nobody", "x"); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().set_password("ann", ""); });
}

TEST_P(StoreTest, OldSessionsExpireButApiTokensDoNot) {
  const std::string api_token = store().add_user("ann", UserRole::kLabeler, "pw");
  const std::string session = store().login("ann", "pw").value();
  {
    // Age every session and user record by a year, as if the server had run that long.
    auto db = open_database();
    const std::string year_ago = iso8601(std::chrono::system_clock::now() - 24h * 365);
    db->prepare("UPDATE session SET created_at = ?").bind_all(year_ago).run();
    db->prepare("UPDATE \"user\" SET created_at = ?").bind_all(year_ago).run();
  }
  EXPECT_FALSE(store().user_for_token(session));
  EXPECT_EQ(store().user_for_token(api_token)->name, "ann");
  // A fresh login works again (and dates written by core/time.h parse as recent).
  EXPECT_TRUE(store().user_for_token(store().login("ann", "pw").value()));
}

TEST(Credentials, PasswordHashesAreSaltedAndVerify) {
  const std::string a = hash_password("hunter2");
  const std::string b = hash_password("hunter2");
  EXPECT_NE(a, b);  // random salt
  EXPECT_NE(a.find("$" + std::to_string(kPasswordIterations) + "$"), std::string::npos);
  EXPECT_TRUE(verify_password("hunter2", a));
  EXPECT_TRUE(verify_password("hunter2", b));
  EXPECT_FALSE(verify_password("hunter3", a));
  EXPECT_FALSE(verify_password("hunter2", ""));
  EXPECT_FALSE(verify_password("hunter2", "pbkdf2-sha256$x$00$00"));
  EXPECT_FALSE(verify_password("hunter2", "md5$1$00$00"));
  // A known vector (RFC 7914 section 11, PBKDF2-HMAC-SHA256 "passwd"/"salt", 1 iteration).
  EXPECT_TRUE(verify_password("passwd",
                              "pbkdf2-sha256$1$73616c74$55ac046e56e3089fec1691c22544b605f94185216"
                              "dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e"
                              "30bd509112041d3a19783"));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace boxloop::testing
