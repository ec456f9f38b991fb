#include "cli/stop_signal.h"

#include <pthread.h>

namespace boxloop::cli {

StopSignal::StopSignal() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string StopSignal::wait() {
  int received = 0;
  sigwait(&signals_, &received);
  return received == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace boxloop::cli
