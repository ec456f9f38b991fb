// A lock shared by every process on a project's PostgreSQL database, whatever machine it runs on:
// a session advisory lock on a connection of its own, so a process that dies (its connection
// dropped) releases it, as the kernel releases a dead process's file lock. What a file lock in the
// project folder cannot promise across machines (over NFS) this does: one training per project.
#pragma once

#include <memory>
#include <string>

#include "store/database.h"

namespace boxloop {

class DatabaseLock {
 public:
  // Takes the lock named `name` on the database at `url` without waiting; nullptr when another
  // session holds it.
  static std::unique_ptr<DatabaseLock> try_take(const std::string& url, const std::string& name);
  ~DatabaseLock() = default;  // closing the connection releases the lock
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;

 private:
  explicit DatabaseLock(std::unique_ptr<Database> connection)
      : connection_(std::move(connection)) {}
  std::unique_ptr<Database> connection_;
};

}  // namespace boxloop
