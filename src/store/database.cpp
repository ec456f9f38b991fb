#include "store/database.h"

#include <string>

namespace boxloop {

// Savepoints are spelled the same in SQLite and PostgreSQL; only the outermost BEGIN differs.
Database::Guard::Guard(Database& db, TransactionKind kind) : db_(db), depth_(db.depth_) {
  if (depth_ == 0) {
    db_.exec(db_.begin_sql(kind));
  } else {
    db_.exec("SAVEPOINT sp" + std::to_string(depth_));
  }
  ++db_.depth_;
}

void Database::Guard::commit() {
  db_.exec(depth_ == 0 ? std::string("COMMIT") : "RELEASE sp" + std::to_string(depth_));
  done_ = true;
  --db_.depth_;
}

Database::Guard::~Guard() {
  if (done_) return;
  --db_.depth_;
  // A PostgreSQL transaction that saw an error accepts nothing but a rollback (to a savepoint),
  // so a failed inner call is undone before the outer one goes on.
  db_.exec_quietly(depth_ == 0 ? std::string("ROLLBACK")
                               : "ROLLBACK TO sp" + std::to_string(depth_) + "; RELEASE sp" +
                                     std::to_string(depth_));
}

}  // namespace boxloop
