#include "store/copy_to_postgres.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>

#include "core/error.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/postgres_database.h"
#include "store/store.h"

namespace boxloop {
namespace {

// Every table of the schema, each after the tables its foreign keys point to. (model refers to
// itself: rows go in id order, and a parent is always older than its child.)
constexpr std::array<const char*, 14> kTables = {
    "project", "category", "image", "model",   "annotation", "label_event", "query",
    "job",     "user",     "lease", "session", "proposal",   "round",       "label_region"};

// Tables the target's triggers fill from the rows copied into the others (migration 6's
// audit_count): copying them too would count every image twice.
constexpr std::array<const char*, 1> kDerivedTables = {"audit_count"};

enum class ColumnKind { kInteger, kReal, kText };

struct Column {
  std::string name;
  ColumnKind kind;
};

// SQLite's type affinity rules (section 3.1 of its datatype page), for the declared types the
// migrations use.
ColumnKind kind_of(std::string declared) {
  std::transform(declared.begin(), declared.end(), declared.begin(), ::toupper);
  if (declared.find("INT") != std::string::npos) return ColumnKind::kInteger;
  if (declared.find("REAL") != std::string::npos || declared.find("FLOA") != std::string::npos ||
      declared.find("DOUB") != std::string::npos) {
    return ColumnKind::kReal;
  }
  return ColumnKind::kText;
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

std::vector<Column> columns_of(Database& source, const std::string& table) {
  std::vector<Column> columns;
  auto select = source.prepare("SELECT name, type FROM pragma_table_info(?) ORDER BY cid");
  select.bind_all(table);
  while (select.step()) columns.push_back(Column{select.text(0), kind_of(select.text(1))});
  return columns;
}

std::int64_t count_rows(Database& db, const std::string& table) {
  auto select = db.prepare("SELECT count(*) FROM " + quoted(table));
  select.step();
  return select.int64(0);
}

// Refuses a source with tables this version would leave behind.
void check_tables_known(Database& source) {
  auto tables = source.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  while (tables.step()) {
    const std::string name = tables.text(0);
    if (std::find(kTables.begin(), kTables.end(), name) == kTables.end() &&
        std::find(kDerivedTables.begin(), kDerivedTables.end(), name) == kDerivedTables.end()) {
      throw Error(ErrorCode::kUnsupported, source.location() + " has a table '" + name +
                                               "' this boxloop does not copy: use the boxloop "
                                               "that wrote it");
    }
  }
}

// Copies one table row by row; values keep their types (a REAL travels as the shortest text that
// reads back as the same double).
std::int64_t copy_table(Database& source, Database& target, const std::string& table) {
  const std::vector<Column> columns = columns_of(source, table);
  std::string names, placeholders;
  for (const Column& column : columns) {
    names += (names.empty() ? "" : ", ") + quoted(column.name);
    placeholders += placeholders.empty() ? "?" : ", ?";
  }
  auto select = source.prepare("SELECT " + names + " FROM " + quoted(table) + " ORDER BY rowid");
  auto insert = target.prepare("INSERT INTO " + quoted(table) + " (" + names + ") VALUES (" +
                               placeholders + ")");
  std::int64_t rows = 0;
  while (select.step()) {
    insert.reset();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int column = static_cast<int>(i);
      const int parameter = column + 1;
      if (select.is_null(column)) {
        insert.bind(parameter, std::nullopt);
        continue;
      }
      switch (columns[i].kind) {
        case ColumnKind::kInteger:
          insert.bind(parameter, select.int64(column));
          break;
        case ColumnKind::kReal:
          insert.bind(parameter, select.real(column));
          break;
        case ColumnKind::kText:
          insert.bind(parameter, select.text(column));
          break;
      }
    }
    insert.run();
    ++rows;
  }
  return rows;
}

// New rows get ids after the copied ones: the identity sequences start past each table's
// largest id.
void continue_sequences(Database& target) {
  std::vector<std::string> tables;
  auto select = target.prepare(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND column_name = 'id' AND is_identity = 'YES'");
  while (select.step()) tables.push_back(select.text(0));
  for (const std::string& table : tables) {
    target
        .prepare("SELECT setval(pg_get_serial_sequence(?, 'id'), max(id)) FROM " + quoted(table) +
                 " HAVING max(id) IS NOT NULL")
        .bind_all(quoted(table))
        .run();
  }
}

}  // namespace

std::vector<CopiedTable> copy_sqlite_project_to_postgres(const std::filesystem::path& dir,
                                                         const std::string& url) {
  if (!is_postgres_url(url)) {
    throw Error(ErrorCode::kInvalidArgument,
                "copy a project into a postgresql:// URL, not '" + url + "'");
  }
  // Opening the project checks it and brings its file to this version's schema.
  Store::open(dir).reset();
  ConnectionOptions read_only;
  read_only.read_only = true;
  auto source = Database::open(dir / Store::kDatabaseFile, /*create=*/false, read_only);
  auto target = open_postgres(url);
  apply_migrations(*target);
  std::vector<CopiedTable> copied;
  source->transaction(TransactionKind::kRead, [&] {
    check_tables_known(*source);
    target->transaction(TransactionKind::kWrite, [&] {
      auto existing = target->prepare("SELECT name FROM project");
      if (existing.step()) {
        throw Error(ErrorCode::kAlreadyExists,
                    target->location() + " already holds project '" + existing.text(0) + "'");
      }
      for (const char* table : kTables) {
        const std::int64_t rows = copy_table(*source, *target, table);
        // What went in is what is there: no row dropped or doubled on the way.
        if (count_rows(*target, table) != rows || count_rows(*source, table) != rows) {
          throw Error(ErrorCode::kInternal, std::string("the copy of table ") + table +
                                                " does not hold the source's rows");
        }
        copied.push_back(CopiedTable{table, rows});
      }
      continue_sequences(*target);
    });
  });
  spdlog::info("copied the project in {} into {}", dir.string(), target->location());
  return copied;
}

}  // namespace boxloop
