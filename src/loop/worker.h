// The loop's worker (DESIGN.md "The loop"): one thread per project that runs its train and score
// jobs and starts rounds, in the server (`boxloop serve`) or on its own (`boxloop worker`, on any
// machine that reaches the project's database and mounts its folder). It opens its own Store
// connections, so long jobs never hold the connection the server answers on. A failure is logged
// and recorded in its job; it never ends the worker or the process.
//
// Several workers share a project's jobs: each claim names the worker, a second thread beats for
// its running jobs every heartbeat_interval, and every worker hands back to the queue the jobs of
// a worker silent for stale_after (killed, or cut off from the database); a worker that finds its
// job handed back stops it. Rounds start, and train jobs run, only under the project's training
// lock, so that one worker at a time trains a project, whatever machine it is on.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loop/train_lock.h"
#include "store/store.h"

namespace boxloop::loop {

// A worker beats for its running jobs this often, and its jobs go back to the queue after this long
// without a beat: several beats, so that a slow database write or a short network cut loses
// nothing.
inline constexpr std::chrono::milliseconds kDefaultHeartbeat{5'000};
inline constexpr std::chrono::milliseconds kDefaultStaleAfter{30'000};

struct LoopWorkerOptions {
  // How often the trigger is checked and queued jobs are looked for.
  std::chrono::milliseconds interval{2'000};
  // Searched for pretrained weights after the project's own and $BOXLOOP_PRETRAINED.
  std::vector<std::filesystem::path> pretrained_fallbacks;
  // How the worker opens the project (its own connections): the server's --db. Its `worker`
  // name is set from `name`.
  StoreOptions store;
  // This worker's name in the job table, unique among live workers; empty: host:pid:n.
  std::string name;
  std::chrono::milliseconds heartbeat_interval = kDefaultHeartbeat;
  std::chrono::milliseconds stale_after = kDefaultStaleAfter;
  // Whether it trains and starts rounds (off: a worker that only scores, e.g. without a GPU).
  bool train = true;
  // The device its training runs on ("cpu", "cuda"); empty: what the job asks for.
  std::string device;
};

class LoopWorker {
 public:
  LoopWorker(std::filesystem::path project_dir, LoopWorkerOptions options = {});
  ~LoopWorker();  // stops
  LoopWorker(const LoopWorker&) = delete;
  LoopWorker& operator=(const LoopWorker&) = delete;

  // Opens the project (throws what Store::open throws), hands back the jobs of dead workers (and,
  // holding the training lock, jobs claimed without heartbeats: those of a killed boxloop train),
  // and starts the threads.
  void start();
  // Cancels the running job (it ends `cancelled`) and joins. Safe to call twice.
  void stop();
  // Looks for work now instead of at the next interval (after queueing a job in this process).
  void wake();

 private:
  void run();
  void beat();
  // Claims and runs one queued job (a train job only when `lock` is held); false when there was
  // none.
  bool run_next_job(std::unique_ptr<TrainLock> lock);

  std::filesystem::path dir_;
  LoopWorkerOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::atomic<bool> cancel_{false};
  std::atomic<Id> current_job_{0};
  std::unique_ptr<Store> store_;
  std::thread thread_;
  std::thread heartbeat_thread_;
};

}  // namespace boxloop::loop
