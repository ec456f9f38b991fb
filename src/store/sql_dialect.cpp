#include "store/sql_dialect.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/error.h"

namespace boxloop::sql_dialect {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The index just past a quoted run that starts at `begin` with `quote` ('' and "" escape a quote).
std::size_t skip_quoted(std::string_view sql, std::size_t begin, char quote) {
  std::size_t i = begin + 1;
  while (i < sql.size()) {
    if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return sql.size();
}

}  // namespace

std::string to_postgres_parameters(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0;     // the last number given to a bare `?`
  int highest = 0;  // the highest number used so far
  bool numbered = false;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      const std::size_t end = skip_quoted(sql, i, c);
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const std::size_t end = std::min(sql.find('\n', i), sql.size());
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const std::size_t close = sql.find("*/", i + 2);
      const std::size_t end = close == std::string_view::npos ? sql.size() : close + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '?') {
      std::size_t j = i + 1;
      while (j < sql.size() && is_digit(sql[j])) ++j;
      int number = 0;
      if (j > i + 1) {
        numbered = true;
        number = std::stoi(std::string(sql.substr(i + 1, j - i - 1)));
      } else {
        number = ++next;
      }
      if (numbered && next > 0) {
        throw Error(ErrorCode::kInternal,
                    "a statement mixes ? and ?N parameters: " + std::string(sql));
      }
      highest = std::max(highest, number);
      out += '$';
      out += std::to_string(number);
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  if (count) *count = highest;
  return out;
}

std::string json_integers(Dialect dialect, int param) {
  const std::string p = "?" + std::to_string(param);
  if (dialect == Dialect::kSqlite) return "SELECT value FROM json_each(" + p + ")";
  return "SELECT CAST(value AS bigint) FROM json_array_elements_text(CAST(" + p +
         " AS json)) AS elements(value)";
}

std::string indexed_by(Dialect dialect, std::string_view index) {
  if (dialect != Dialect::kSqlite) return "";
  return " INDEXED BY " + std::string(index);
}

const char* ordered_join(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "CROSS JOIN" : "JOIN";
}

const char* skip_locked(Dialect dialect) {
  return dialect == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
}

namespace {

template <class Number>
std::string array_of(const std::vector<Number>& values) {
  std::string text = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    char number[32];
    const auto end = std::to_chars(number, number + sizeof number, values[i]).ptr;
    if (i > 0) text += ',';
    text.append(number, end);
  }
  return text + "}";
}

}  // namespace

std::string postgres_array(const std::vector<std::int64_t>& values) { return array_of(values); }

std::string postgres_array(const std::vector<double>& values) { return array_of(values); }

std::string utc_time_text_ms_ago(Dialect dialect) {
  if (dialect == Dialect::kPostgres) {
    return "to_char(clock_timestamp() AT TIME ZONE 'UTC' - CAST(? AS BIGINT) * INTERVAL "
           "'1 millisecond', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
  }
  return "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', (-CAST(? AS REAL) / 1000) || ' seconds')";
}

const char* lock_referenced(Dialect dialect, bool skip_locked) {
  if (dialect != Dialect::kPostgres) return "";
  return skip_locked ? " FOR NO KEY UPDATE SKIP LOCKED" : " FOR NO KEY UPDATE";
}

std::string transaction_lock(Dialect dialect, std::int64_t key) {
  if (dialect != Dialect::kPostgres) return "";
  return "SELECT pg_advisory_xact_lock(" + std::to_string(key) + ")";
}

}  // namespace boxloop::sql_dialect
