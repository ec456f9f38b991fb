// How the long-running commands (serve, worker) stop: on SIGINT or SIGTERM, taken with sigwait.
#pragma once

#include <signal.h>

#include <string>

namespace boxloop::cli {

class StopSignal {
 public:
  // Blocks SIGINT and SIGTERM in this thread and in every thread started after it (they inherit
  // the mask), so no handler runs in the middle of a request or a save; ignores SIGPIPE, so a
  // peer closing its connection mid-write does not kill the process. Construct it first.
  StopSignal();
  // Waits for SIGINT or SIGTERM; returns its name.
  std::string wait();

 private:
  sigset_t signals_{};
};

}  // namespace boxloop::cli
