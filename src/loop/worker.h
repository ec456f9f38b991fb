// The loop's worker (DESIGN.md "The loop"): one thread per project that runs its train and score
// jobs and starts rounds. It opens its own Store connection, so long jobs never hold the
// connection the server answers on. A failure is logged and recorded in its job; it never ends
// the worker or the process.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace boxloop::loop {

struct LoopWorkerOptions {
  // How often the trigger is checked and queued jobs are looked for.
  std::chrono::milliseconds interval{2'000};
  // Searched for pretrained weights after the project's own and $BOXLOOP_PRETRAINED.
  std::vector<std::filesystem::path> pretrained_fallbacks;
  // How the worker opens the project (its own connections): the server's --db.
  StoreOptions store;
};

class LoopWorker {
 public:
  LoopWorker(std::filesystem::path project_dir, LoopWorkerOptions options = {});
  ~LoopWorker();  // stops
  LoopWorker(const LoopWorker&) = delete;
  LoopWorker& operator=(const LoopWorker&) = delete;

  // Opens the project (throws what Store::open throws), puts jobs left running by a dead process
  // back in the queue (unless a live process holds the training lock), and starts the thread.
  void start();
  // Cancels the running job (it ends `cancelled`) and joins. Safe to call twice.
  void stop();
  // Looks for work now instead of at the next interval (after queueing a job in this process).
  void wake();

 private:
  void run();
  // Claims and runs one queued job; false when there was none.
  bool run_next_job();
  void run_train(const Job& job);
  void run_score(const Job& job);

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
};

}  // namespace boxloop::loop
