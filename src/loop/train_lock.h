// The project's training lock: an exclusive flock on <project>/models/.train.lock, the same file
// `boxloop train` holds (src/cli/cmd_model.cpp), so the CLI and the loop never train one project
// at once. The kernel drops the lock when its process dies, so a held lock means a live trainer.
#pragma once

#include <filesystem>

namespace boxloop::loop {

class TrainLock {
 public:
  // Takes the lock without waiting; held() says whether it was free.
  explicit TrainLock(const std::filesystem::path& project_dir);
  ~TrainLock();
  TrainLock(const TrainLock&) = delete;
  TrainLock& operator=(const TrainLock&) = delete;

  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace boxloop::loop
