// worker: the loop's worker without a server, for a machine that trains or scores (a GPU box)
// while the page is served elsewhere (docs/deploy.md "Workers").
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/project_store.h"
#include "cli/shared_paths.h"
#include "cli/stop_signal.h"
#include "core/error.h"
#include "loop/worker.h"
#include "train/trainer.h"

namespace boxloop::cli {

namespace {

double seconds(std::chrono::milliseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

struct WorkerArgs {
  std::string project, database, name, device;
  bool score_only = false;
  double heartbeat_seconds = seconds(loop::kDefaultHeartbeat);
  double stale_seconds = seconds(loop::kDefaultStaleAfter);
};

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

void run_worker(const WorkerArgs& args) {
  if (args.stale_seconds < 2 * args.heartbeat_seconds) {
    throw Error{ErrorCode::kInvalidArgument,
                "--stale-after must be at least twice --heartbeat, or a live worker's jobs are "
                "handed back between two beats"};
  }
  if (!args.device.empty()) check_training_device(args.device);  // before any job is claimed
  StopSignal stop_signal;                                        // before any thread starts
  // Opens the project once here, so a wrong folder or database fails now, with its message.
  const std::filesystem::path dir = open_store(args.project, args.database)->dir();
  loop::LoopWorkerOptions options;
  options.store = store_options(args.database);
  options.pretrained_fallbacks = shared_pretrained_fallbacks();
  options.name = args.name;
  options.device = args.device;
  options.train = !args.score_only;
  options.heartbeat_interval = milliseconds(args.heartbeat_seconds);
  options.stale_after = milliseconds(args.stale_seconds);
  loop::LoopWorker worker(dir, options);
  worker.start();
  std::cout << "boxloop worker: running the jobs of " << dir.string()
            << (args.score_only ? " (scoring only)" : "") << "; stop with Ctrl-C" << std::endl;
  spdlog::info("received {}, stopping", stop_signal.wait());
  worker.stop();  // cancels its running job: another worker, or this one restarted, reruns it
}

}  // namespace

void add_worker_commands(CLI::App& app) {
  auto args = std::make_shared<WorkerArgs>();
  auto* cmd = app.add_subcommand(
      "worker",
      "Run the project's training and scoring jobs on this machine, beside the servers (any "
      "number of workers; run the servers with --no-loop or not)");
  cmd->add_option("project", args->project,
                  "Project folder (the same folder the servers use, e.g. over NFS)")
      ->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("--name", args->name, "This worker's name in the job list (default host:pid)");
  cmd->add_option("--device", args->device, "Where training runs (default: what the job asks)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_flag("--score-only", args->score_only,
                "Only score (and parts of scoring), never train or start rounds");
  cmd->add_option("--heartbeat", args->heartbeat_seconds,
                  "Seconds between heartbeats for its running jobs")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  cmd->add_option("--stale-after", args->stale_seconds,
                  "Seconds without a heartbeat after which a worker's job goes back to the queue")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  cmd->callback([args] { run_worker(*args); });
}

}  // namespace boxloop::cli
