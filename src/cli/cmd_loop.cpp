// score, loop: the active-learning loop's front end (the worker itself runs inside `serve`).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "active/halting.h"
#include "cli/commands.h"
#include "cli/number_text.h"
#include "cli/progress_bar.h"
#include "cli/project_store.h"
#include "core/error.h"
#include "loop/score.h"
#include "loop/state/rounds.h"
#include "store/store.h"

namespace boxloop::cli {

namespace {

// How far ordering by uncertainty still beats labeling at random, in the queue's own terms.
void print_halting_summary(Store& store) {
  const std::vector<QueueEntry> queue = store.queue();
  std::vector<double> uncertainties;
  for (const QueueEntry& e : queue) uncertainties.push_back(e.uncertainty);
  const active::HaltingReport report = active::halting_report(uncertainties);
  int zones[3] = {0, 0, 0};
  for (double u : uncertainties) ++zones[static_cast<int>(report.zone(u))];
  std::cout << "uncertainty " << fixed(report.min_uncertainty, 2) << " .. "
            << fixed(report.max_uncertainty, 2) << "; flat (the order beats a random pick by less "
            << "than " << fixed(report.tolerance, 2) << ") in the least uncertain "
            << static_cast<int>(100 * report.flat_until + 0.5) << " % of the queue\n"
            << "green " << zones[0] << ", orange " << zones[1] << ", red " << zones[2] << " images"
            << (zones[0] == 0 ? " (nothing in green: label more, then retrain)" : "") << "\n";
}

struct ScoreArgs {
  std::string project, database;
  loop::ScoreOptions options;
};

void run_score(const ScoreArgs& args) {
  auto store = open_store(args.project, args.database);
  ProgressBar bar("score");
  const loop::ScoreResult result = loop::score_unlabeled(*store, args.options, bar.callback());
  bar.finish();
  std::cout << "queue of " << result.images << " unlabeled images, strategy " << result.strategy
            << ", model "
            << (result.model_id ? std::to_string(result.model_id) : args.options.model) << " ("
            << fixed(result.seconds, 2) << " s)\n";
  if (result.images > 0) print_halting_summary(*store);
}

void add_score(CLI::App& app) {
  auto args = std::make_shared<ScoreArgs>();
  auto* cmd = app.add_subcommand(
      "score", "Order the unlabeled images for labeling with a model (replaces the queue)");
  cmd->add_option("project", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("--model", args->options.model, "Model id, last, or checkpoint file")
      ->capture_default_str();
  cmd->add_option("--strategy", args->options.strategy,
                  "Strategy spec (default: the project's setting), e.g. least_confidence, "
                  "margin:mean, entropy+balanced, random");
  cmd->add_option("--seed", args->options.seed, "Seed for ties and the random strategy")
      ->capture_default_str();
  cmd->add_option("--batch", args->options.batch, "Images per forward pass")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->callback([args] { run_score(*args); });
}

struct LoopArgs {
  std::string project, database;
  int every = 0;
  std::string strategy;
  bool enable = false, disable = false, run = false;
  CLI::Option* every_option = nullptr;
  CLI::Option* strategy_option = nullptr;
};

void print_loop_status(Store& store) {
  const loop::LoopStatus s = loop::loop_status(store);
  std::cout << "loop " << (s.settings.enabled ? "enabled" : "disabled") << ": a round every "
            << s.settings.every << " labels, strategy " << s.settings.strategy << "\n"
            << s.labels_since_round << " labels since the last round";
  if (s.settings.enabled && s.state == loop::RoundState::kIdle) {
    std::cout << (s.next_round_in > 0 ? ", next round in " + std::to_string(s.next_round_in)
                                      : ", a round is due (the loop of `boxloop serve` starts it)");
  }
  std::cout << "\nstate " << loop::to_string(s.state);
  if (s.job) {
    std::cout << " (" << to_string(s.job->kind) << " job " << s.job->id << ", "
              << static_cast<int>(s.job->progress * 100) << "%"
              << (s.job->message.empty() ? "" : ": " + s.job->message) << ")";
  }
  std::cout << "\n" << s.models << " models\n";
}

void run_loop(const LoopArgs& args) {
  auto store = open_store(args.project, args.database);
  loop::LoopSettingsChange change;
  if (args.every_option->count() > 0) change.every = args.every;
  if (args.strategy_option->count() > 0) change.strategy = args.strategy;
  if (args.enable) change.enabled = true;
  if (args.disable) change.enabled = false;
  if (change.every || change.strategy || change.enabled) loop::update_loop_settings(*store, change);
  if (args.run) {
    const Job job = loop::start_round(*store);
    std::cout << "round queued: train job " << job.id
              << " (the server's loop runs it; `boxloop serve` must be running)\n";
  }
  print_loop_status(*store);
}

void add_loop(CLI::App& app) {
  auto args = std::make_shared<LoopArgs>();
  auto* cmd = app.add_subcommand(
      "loop", "Show or set the active-learning loop (retrain and rescore every N labels)");
  cmd->add_option("project", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  args->every_option =
      cmd->add_option("--every", args->every, "Start a round after this many new labels");
  args->strategy_option =
      cmd->add_option("--strategy", args->strategy, "Query strategy spec for the rounds' scoring");
  auto* enable = cmd->add_flag("--enable", args->enable, "Run rounds automatically");
  cmd->add_flag("--disable", args->disable, "Stop starting rounds automatically")->excludes(enable);
  cmd->add_flag("--run", args->run, "Queue a round now");
  cmd->callback([args] { run_loop(*args); });
}

}  // namespace

void add_loop_commands(CLI::App& app) {
  add_score(app);
  add_loop(app);
}

}  // namespace boxloop::cli
