// Store: users, API tokens and login sessions. Password hashing (deliberately slow) runs outside
// any transaction so one login does not stall every other request.
#include <chrono>

#include "core/error.h"
#include "core/time.h"
#include "store/connections.h"
#include "store/credentials.h"
#include "store/database.h"
#include "store/store.h"

namespace boxloop {
namespace {

// A login session lasts this long; the API token of a user does not expire.
constexpr int kSessionDays = 30;

void check_password(const std::string& password) {
  if (password.empty()) throw Error(ErrorCode::kInvalidArgument, "a password cannot be empty");
}

}  // namespace

std::string Store::add_user(const std::string& name, UserRole role,
                            const std::optional<std::string>& password) {
  if (name.empty()) throw Error(ErrorCode::kInvalidArgument, "a user needs a name");
  if (password) check_password(*password);
  const std::optional<std::string> password_hash =
      password ? std::optional(hash_password(*password)) : std::nullopt;
  const std::string token = random_token_hex();
  db_->write([&](Database& db) {
    auto exists = db.prepare("SELECT 1 FROM \"user\" WHERE name = ?");
    exists.bind_all(name);
    if (exists.step()) throw Error(ErrorCode::kAlreadyExists, "user '" + name + "' exists");
    db.prepare(
          "INSERT INTO \"user\" (name, role, password_hash, token_hash, created_at) "
          "VALUES (?, ?, ?, ?, ?)")
        .bind_all(name, to_string(role), password_hash, sha256_hex(token), now_iso8601())
        .run();
  });
  return token;
}

void Store::set_password(const std::string& name, const std::string& password) {
  check_password(password);
  const std::string password_hash = hash_password(password);
  db_->write([&](Database& db) {
    db.prepare("UPDATE \"user\" SET password_hash = ? WHERE name = ?")
        .bind_all(password_hash, name)
        .run();
    if (db.changes() == 0) throw Error(ErrorCode::kNotFound, "no user '" + name + "'");
    // A new password ends the sessions opened with the old one.
    db.prepare("DELETE FROM session WHERE user_id = (SELECT id FROM \"user\" WHERE name = ?)")
        .bind_all(name)
        .run();
  });
}

std::vector<User> Store::users() {
  return db_->read([](Database& db) {
    auto select = db.prepare("SELECT id, name, role FROM \"user\" ORDER BY id");
    std::vector<User> result;
    while (select.step()) {
      result.push_back(
          User{select.int64(0), select.text(1), user_role_from_string(select.text(2))});
    }
    return result;
  });
}

bool Store::has_users() {
  return db_->read_one([](Database& db) {
    auto select = db.prepare("SELECT EXISTS (SELECT 1 FROM \"user\")");
    select.step();
    return select.integer(0) != 0;
  });
}

std::optional<User> Store::user_for_token(const std::string& token) {
  if (token.empty()) return std::nullopt;
  const std::string token_hash = sha256_hex(token);
  return db_->read_one([&](Database& db) -> std::optional<User> {
    auto select = db.prepare(R"sql(
      SELECT id, name, role FROM "user" WHERE token_hash = ?1
      UNION ALL
      SELECT "user".id, "user".name, "user".role
        FROM session JOIN "user" ON "user".id = session.user_id
        WHERE session.token_hash = ?1 AND session.created_at > ?2
      LIMIT 1)sql");
    // Timestamps are ISO 8601 UTC text in one format (core/time.h), so they compare as text.
    const auto oldest = std::chrono::system_clock::now() - std::chrono::hours(24 * kSessionDays);
    select.bind_all(token_hash, iso8601(oldest));
    if (!select.step()) return std::nullopt;
    return User{select.int64(0), select.text(1), user_role_from_string(select.text(2))};
  });
}

std::optional<std::string> Store::login(const std::string& name, const std::string& password) {
  std::optional<Id> user_id;
  std::string stored_hash;
  db_->read([&](Database& db) {
    auto select = db.prepare("SELECT id, password_hash FROM \"user\" WHERE name = ?");
    select.bind_all(name);
    if (select.step() && !select.is_null(1)) {
      user_id = select.int64(0);
      stored_hash = select.text(1);
    }
  });
  if (!user_id) {
    // Spend the same time as a real check, so response times do not reveal which names exist.
    (void)hash_password(password);
    return std::nullopt;
  }
  if (!verify_password(password, stored_hash)) return std::nullopt;
  const std::string token = random_token_hex();
  // Insert only if the user still has this password: it may have changed while we hashed.
  const bool inserted = db_->write([&](Database& db) {
    db.prepare(
          "INSERT INTO session (token_hash, user_id, created_at) "
          "SELECT ?, id, ? FROM \"user\" WHERE id = ? AND password_hash = ?")
        .bind_all(sha256_hex(token), now_iso8601(), *user_id, stored_hash)
        .run();
    return db.changes() != 0;
  });
  if (!inserted) return std::nullopt;
  return token;
}

void Store::logout(const std::string& token) {
  const std::string token_hash = sha256_hex(token);
  db_->write([&](Database& db) {
    db.prepare("DELETE FROM session WHERE token_hash = ?").bind_all(token_hash).run();
  });
}

}  // namespace boxloop
