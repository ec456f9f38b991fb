#include "loop/train_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/error.h"

namespace boxloop::loop {

TrainLock::TrainLock(const std::filesystem::path& project_dir) {
  const std::filesystem::path file = project_dir / "models" / ".train.lock";
  std::filesystem::create_directories(file.parent_path());
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error{ErrorCode::kIo, "cannot open " + file.string()};
  held_ = ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

TrainLock::~TrainLock() { ::close(fd_); }

}  // namespace boxloop::loop
