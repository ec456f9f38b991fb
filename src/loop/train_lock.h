// The project's training lock: an exclusive flock on <project>/models/.train.lock, the same file
// `boxloop train` holds (src/cli/cmd_model.cpp), so the CLI and the loop never train one project
// at once. The kernel drops the lock when its process dies, so a held lock means a live trainer.
// A project on PostgreSQL locks its database instead (store/database_lock.h): its servers and
// trainers may run on several machines, where a file lock on a shared folder is not to be trusted.
#pragma once

#include <filesystem>
#include <memory>

#include "store/database_lock.h"
#include "store/store.h"

namespace boxloop::loop {

class TrainLock {
 public:
  // Takes the lock without waiting; held() says whether it was free.
  explicit TrainLock(const std::filesystem::path& project_dir);
  // The project's lock: the database's on PostgreSQL, else the folder's file.
  explicit TrainLock(Store& store);
  ~TrainLock();
  TrainLock(const TrainLock&) = delete;
  TrainLock& operator=(const TrainLock&) = delete;

  bool held() const { return held_; }

 private:
  void lock_file(const std::filesystem::path& project_dir);

  int fd_ = -1;
  bool held_ = false;
  std::unique_ptr<DatabaseLock> database_lock_;
};

}  // namespace boxloop::loop
