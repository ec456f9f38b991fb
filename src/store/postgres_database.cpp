#include "store/postgres_database.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <pqxx/pqxx>
#include <unordered_map>
#include <utility>

#include "core/error.h"
#include "store/change_feed.h"
#include "store/sql_dialect.h"

namespace boxloop {
namespace {

constexpr pqxx::oid kBoolOid = 16;  // pg_type.oid of boolean

// The server's message without libpqxx's decoration: its first line, without "ERROR:  ".
std::string message_of(const std::exception& e) {
  std::string text = e.what();
  text = text.substr(0, text.find('\n'));
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (text.rfind(prefix, 0) == 0) text = text.substr(std::char_traits<char>::length(prefix));
  }
  return text;
}

// SQLSTATE classes (PostgreSQL appendix A) onto the store's error codes, matching what the same
// failure is on SQLite (store/sqlite_database.cpp).
ErrorCode code_for_sqlstate(const std::string& state) {
  const std::string klass = state.substr(0, 2);
  // Another transaction holds the lock (lock_timeout, the busy timeout) or the server could not
  // order this one with a concurrent one: nothing was written and it may be sent again.
  if (state == "55P03" || state == "57014" || klass == "40") return ErrorCode::kBusy;
  if (state == "23505") return ErrorCode::kAlreadyExists;
  if (klass == "23" || klass == "22") return ErrorCode::kInvalidArgument;
  // A write on a read connection (SQLite's query_only answers SQLITE_READONLY, also kIo).
  if (state == "25006") return ErrorCode::kIo;
  if (state == "3D000") return ErrorCode::kNotFound;
  if (klass == "08" || klass == "53" || klass == "58" || klass == "28" || klass == "57") {
    return ErrorCode::kIo;
  }
  if (klass == "XX" && (state == "XX001" || state == "XX002")) return ErrorCode::kCorrupt;
  return ErrorCode::kInternal;
}

// Runs `work`, turning libpqxx's exceptions into boxloop::Error (the store's contract), and
// marks `conflict` when the transaction lost to a concurrent one.
template <class F>
auto guarded(std::string_view what, bool& conflict, F&& work) -> decltype(work()) {
  const auto fail = [&](ErrorCode code, const std::exception& e) -> Error {
    return Error(code, "database: " + message_of(e) + " (" + std::string(what) + ")");
  };
  try {
    return work();
  } catch (const pqxx::statement_completion_unknown& e) {
    throw fail(ErrorCode::kIo, e);  // the connection broke during the commit
  } catch (const pqxx::transaction_rollback& e) {
    conflict = true;  // serialization failure, deadlock
    throw fail(ErrorCode::kBusy, e);
  } catch (const pqxx::sql_error& e) {
    throw fail(code_for_sqlstate(e.sqlstate()), e);
  } catch (const pqxx::broken_connection& e) {
    throw fail(ErrorCode::kIo, e);
  } catch (const pqxx::in_doubt_error& e) {
    throw fail(ErrorCode::kIo, e);
  } catch (const pqxx::failure& e) {
    throw fail(ErrorCode::kInternal, e);
  }
}

// The table an INSERT writes to (lower case unless quoted), or "" for any other statement.
std::string inserted_table(std::string_view sql) {
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  };
  const auto keyword = [&](std::string_view word) {
    skip_space();
    if (sql.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (std::toupper(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
    }
    i += word.size();
    return true;
  };
  if (!keyword("INSERT") || !keyword("INTO")) return "";
  skip_space();
  std::string table;
  if (i < sql.size() && sql[i] == '"') {
    const std::size_t end = sql.find('"', i + 1);
    return end == std::string_view::npos ? "" : std::string(sql.substr(i + 1, end - i - 1));
  }
  while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) {
    table += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i])));
    ++i;
  }
  return table;
}

class PostgresStatement final : public StatementImpl {
 public:
  PostgresStatement(PostgresDatabase& db, std::string_view sql) : db_(db) {
    int count = 0;
    sql_ = sql_dialect::to_postgres_parameters(sql, &count);
    params_.resize(static_cast<std::size_t>(count));
    const std::string table = inserted_table(sql_);
    if (!table.empty() && db_.has_generated_id(table)) {
      sql_ += " RETURNING id";
      returns_id_ = true;
    }
  }

  void bind_int64(int index, std::int64_t value) override { param(index) = std::to_string(value); }
  void bind_real(int index, double value) override {
    char text[32];
    // Shortest text that reads back as the same double: no precision lost on the way.
    const auto end = std::to_chars(text, text + sizeof text, value).ptr;
    param(index) = std::string(text, end);
  }
  void bind_text(int index, std::string_view value) override { param(index) = std::string(value); }
  void bind_null(int index) override { param(index) = std::nullopt; }

  void reset() override {
    executed_ = false;
    result_ = pqxx::result();
    row_ = -1;
    rows_ = 0;
  }

  bool step() override {
    if (!executed_) {
      result_ = db_.run(sql_, params_);
      executed_ = true;
      row_ = -1;
      rows_ = static_cast<long>(result_.size());
      if (returns_id_) {
        // The caller asked for no rows; the id is last_insert_id's.
        if (rows_ > 0) db_.set_last_insert_id(result_[0][0].as<std::int64_t>());
        rows_ = 0;
      }
    }
    if (row_ < rows_) ++row_;
    return row_ < rows_;
  }

  bool is_null(int column) const override { return field(column).is_null(); }

  std::int64_t int64(int column) const override {
    const pqxx::field f = field(column);
    if (f.is_null()) return 0;
    const char* begin = f.c_str();
    const char* end = begin + f.size();
    if (result_.column_type(column) == kBoolOid) return *begin == 't' ? 1 : 0;
    std::int64_t value = 0;
    const auto parsed = std::from_chars(begin, end, value);
    if (parsed.ec == std::errc() && parsed.ptr == end) return value;
    return static_cast<std::int64_t>(real(column));  // as SQLite reads a REAL as an integer
  }

  double real(int column) const override {
    const pqxx::field f = field(column);
    if (f.is_null()) return 0;
    double value = 0;
    const auto parsed = std::from_chars(f.c_str(), f.c_str() + f.size(), value);
    if (parsed.ec != std::errc()) {
      throw Error(ErrorCode::kInternal,
                  "column " + std::to_string(column) + " is not a number: " + f.c_str());
    }
    return value;
  }

  std::string text(int column) const override {
    const pqxx::field f = field(column);
    if (f.is_null()) return {};
    return std::string(f.c_str(), f.size());
  }

 private:
  std::optional<std::string>& param(int index) {
    if (index < 1 || static_cast<std::size_t>(index) > params_.size()) {
      throw Error(ErrorCode::kInternal,
                  "parameter " + std::to_string(index) + " out of range in: " + sql_);
    }
    executed_ = false;
    return params_[static_cast<std::size_t>(index - 1)];
  }

  pqxx::field field(int column) const {
    if (row_ < 0 || row_ >= rows_ || column < 0 ||
        static_cast<std::size_t>(column) >= result_.columns()) {
      throw Error(ErrorCode::kInternal,
                  "no column " + std::to_string(column) + " on the current row of: " + sql_);
    }
    return result_[static_cast<pqxx::result::size_type>(row_)][column];
  }

  PostgresDatabase& db_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;
  bool returns_id_ = false;
  bool executed_ = false;
  pqxx::result result_;
  long row_ = -1;
  long rows_ = 0;
};

}  // namespace

struct PostgresDatabase::Link {
  explicit Link(const std::string& url) : connection(url) {}
  pqxx::connection connection;
  // The statements prepared on this connection, by their text ($N parameters): the server parses
  // and plans a statement the Store sends again and again (next and save send the same few dozen)
  // once per connection instead of on every call. The names are registered with libpqxx, which
  // prepares each on its first use and again on first use after it restores a lost connection.
  std::unordered_map<std::string, std::string> prepared;
  std::uint64_t next_name = 0;
};

bool is_postgres_url(const std::string& text) {
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

std::string redact_postgres_url(const std::string& url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const std::size_t authority = scheme + 3;
  const std::size_t at = url.find('@', authority);
  const std::size_t slash = url.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  const std::size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::unique_ptr<PostgresDatabase> PostgresDatabase::open(const std::string& url,
                                                         const ConnectionOptions& options) {
  const std::string where = redact_postgres_url(url);
  std::unique_ptr<Link> link;
  try {
    link = std::make_unique<Link>(url);
  } catch (const pqxx::broken_connection& e) {
    const std::string message = message_of(e);
    const bool missing = message.find("does not exist") != std::string::npos;
    throw Error(missing ? ErrorCode::kNotFound : ErrorCode::kIo,
                "cannot connect to " + where + ": " + message);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kIo, "cannot connect to " + where + ": " + message_of(e));
  }
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(url, options, std::move(link)));
  // Session settings through libpqxx, which sets them again should it reconnect a lost
  // connection. Notices (CREATE ... IF NOT EXISTS, a ROLLBACK after a failed COMMIT) would go to
  // stderr.
  guarded("session settings", db->conflict_, [&] {
    pqxx::connection& connection = db->link_->connection;
    connection.set_variable("client_min_messages", "error");
    connection.set_variable("lock_timeout", std::to_string(options.busy_timeout.count()));
    if (options.read_only) connection.set_variable("default_transaction_read_only", "on");
  });
  return db;
}

PostgresDatabase::PostgresDatabase(std::string url, ConnectionOptions options,
                                   std::unique_ptr<Link> link)
    : url_(std::move(url)), options_(options), link_(std::move(link)) {}

PostgresDatabase::~PostgresDatabase() = default;

std::unique_ptr<Database> PostgresDatabase::open_another(const ConnectionOptions& options) const {
  return open(url_, options);
}

Statement PostgresDatabase::prepare(std::string_view sql) {
  return Statement(std::make_unique<PostgresStatement>(*this, sql));
}

pqxx::result PostgresDatabase::run(const std::string& sql,
                                   const std::vector<std::optional<std::string>>& params) {
  count_statement();
  return guarded(sql, conflict_, [&] {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    const std::string* name = prepared_name(sql);
    // The transactions are the Store's (BEGIN / COMMIT through exec); libpqxx only carries
    // statements.
    pqxx::nontransaction carrier(link_->connection);
    pqxx::result result =
        name ? carrier.exec_prepared(*name, pqxx::prepare::make_dynamic_params(values))
             : carrier.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
    changes_ = static_cast<int>(result.affected_rows());
    return result;
  });
}

const std::string* PostgresDatabase::prepared_name(const std::string& sql) {
  auto& prepared = link_->prepared;
  if (const auto found = prepared.find(sql); found != prepared.end()) return &found->second;
  // Statements built from data (a copy's per-table inserts) are few, but nothing bounds them:
  // past the cap a new text runs unprepared, as every statement did before the cache.
  if (prepared.size() >= kMaxPreparedStatements) return nullptr;
  std::string name = "boxloop_" + std::to_string(link_->next_name++);
  link_->connection.prepare(name, sql);  // registered only: the server sees it on first use
  return &prepared.emplace(sql, std::move(name)).first->second;
}

void PostgresDatabase::forget_prepared() {
  for (const auto& [sql, name] : link_->prepared) link_->connection.unprepare(name);
  link_->prepared.clear();
}

std::size_t PostgresDatabase::prepared_count() const { return link_->prepared.size(); }

void PostgresDatabase::exec(const std::string& sql) {
  count_statement();
  guarded(sql, conflict_, [&] {
    pqxx::nontransaction carrier(link_->connection);
    const pqxx::result result = carrier.exec(sql);
    changes_ = static_cast<int>(result.affected_rows());
  });
}

void PostgresDatabase::exec_quietly(const std::string& sql) noexcept {
  try {
    exec(sql);
  } catch (const std::exception& e) {
    spdlog::warn("rollback in {}: {}", location(), e.what());
  }
}

bool PostgresDatabase::has_generated_id(const std::string& table) {
  if (!generated_id_tables_) {
    const pqxx::result rows = run(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'id' AND is_identity = 'YES'",
        {});
    generated_id_tables_.emplace();
    for (const auto& row : rows) generated_id_tables_->insert(row[0].c_str());
  }
  return generated_id_tables_->count(table) != 0;
}

int PostgresDatabase::user_version() {
  const pqxx::result exists = run("SELECT to_regclass('schema_version') IS NOT NULL", {});
  if (std::string(exists[0][0].c_str()) != "t") return 0;
  const pqxx::result version = run("SELECT version FROM schema_version", {});
  return version.empty() ? 0 : version[0][0].as<int>();
}

void PostgresDatabase::set_user_version(int version) {
  exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); "
      "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (" +
      std::to_string(version) + ")");
  generated_id_tables_.reset();  // a migration may have added tables
  // A statement prepared before a migration keeps the row type it was planned with; the server
  // refuses to run it once a table it reads has changed columns.
  guarded("forgetting prepared statements", conflict_, [&] { forget_prepared(); });
}

void PostgresDatabase::notify(const std::string& what) {
  run(std::string("SELECT pg_notify('") + kChangeChannel + "', $1)", {what});
}

std::string PostgresDatabase::begin_sql(TransactionKind kind) const {
  if (kind == TransactionKind::kRead) return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  std::string begin = kind == TransactionKind::kWriteRowLocks
                          ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                          : "BEGIN ISOLATION LEVEL SERIALIZABLE";
  if (!full_sync_) begin += "; SET LOCAL synchronous_commit = off";
  return begin;
}

}  // namespace boxloop
