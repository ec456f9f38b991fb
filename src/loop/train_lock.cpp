#include "loop/train_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/error.h"

namespace boxloop::loop {

TrainLock::TrainLock(const std::filesystem::path& project_dir) { lock_file(project_dir); }

void TrainLock::lock_file(const std::filesystem::path& project_dir) {
  const std::filesystem::path file = project_dir / "models" / ".train.lock";
  std::filesystem::create_directories(file.parent_path());
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error{ErrorCode::kIo, "cannot open " + file.string()};
  held_ = ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

TrainLock::TrainLock(Store& store) {
  if (!store.uses_postgres()) {
    lock_file(store.dir());
    return;
  }
  database_lock_ = store.try_database_lock("train");
  held_ = database_lock_ != nullptr;
}

TrainLock::~TrainLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace boxloop::loop
