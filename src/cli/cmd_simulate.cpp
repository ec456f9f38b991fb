// boxloop simulate: replays the active-learning loop on a fully labeled project (loop/simulate.h)
// and prints, per strategy, the learning curve and how it compares with random order.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/shared_paths.h"
#include "core/error.h"
#include "imageio/image_file.h"
#include "loop/simulate.h"
#include "store/store.h"

namespace boxloop::cli {

namespace fs = std::filesystem;

namespace {

struct SimulateArgs {
  std::string project;
  loop::SimulationOptions options;
  std::string out;
  bool fresh_start = false;
};

std::string fixed(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void print_summary(const Json& summary) {
  for (const Json& s : summary) {
    std::cout << s["strategy"].get<std::string>() << "\n  images:";
    for (const Json& r : s["rounds"]) std::cout << " " << fixed(r["images"].get<double>(), 0);
    std::cout << "\n  boxes: ";
    for (const Json& r : s["rounds"]) std::cout << " " << fixed(r["boxes"].get<double>(), 0);
    std::cout << "\n  mAP50: ";
    for (const Json& r : s["rounds"]) std::cout << " " << fixed(r["map50"].get<double>());
    std::cout << "\n  queried-rounds mean mAP@0.5 " << fixed(s["auc"].get<double>()) << " (sd "
              << fixed(s["auc_sd"].get<double>()) << ", " << s["seeds"] << " seeds)";
    if (s.contains("vs_random")) {
      const Json& v = s["vs_random"];
      std::cout << "; vs random " << (v["auc_delta"].get<double>() >= 0 ? "+" : "")
                << fixed(v["auc_delta"].get<double>()) << " (won " << v["seeds_won"] << " of "
                << v["seeds"] << " seeds, " << fixed(v["final_boxes_delta"].get<double>(), 0)
                << " boxes)";
    }
    std::cout << "\n";
  }
}

void run_simulate(SimulateArgs args) {
  auto store = Store::open(args.project);
  loop::SimulationOptions& o = args.options;
  o.pretrained_fallbacks = shared_pretrained_fallbacks();
  if (o.work_dir.empty()) o.work_dir = store->dir() / "simulation";
  const fs::path out = args.out.empty() ? store->dir() / "simulation.json" : fs::path(args.out);
  if (fs::exists(out) && !args.fresh_start) {
    // Continue a killed simulation (simulate() refuses a report of another design).
    Json previous = Json::parse(read_file_bytes(out), nullptr, false);
    if (previous.is_discarded() || !previous.contains("options")) {
      throw Error{ErrorCode::kCorrupt,
                  out.string() + " is not a simulation report; give another --out or --fresh"};
    }
    o.previous_report = previous;
  }
  const Json report = loop::simulate(
      *store, o, [&](const Json& partial) { write_file_atomically(out, partial.dump(2)); });
  write_file_atomically(out, report.dump(2));
  print_summary(report["summary"]);
  std::cout << "report: " << out.string() << "\n";
}

}  // namespace

void add_simulate_commands(CLI::App& app) {
  auto args = std::make_shared<SimulateArgs>();
  loop::SimulationOptions& o = args->options;
  auto* cmd = app.add_subcommand(
      "simulate",
      "Replay labeling on a fully labeled project to compare query strategies with random");
  cmd->add_option("project", args->project, "Project folder whose labels act as the oracle")
      ->required();
  cmd->add_option("--strategies", o.strategies, "Strategy specs to compare")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--seeds", o.seeds, "Seeds (each gives every strategy the same first images)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--start", o.start, "Images labeled at random before the first model")
      ->capture_default_str();
  cmd->add_option("--step", o.step, "Images labeled per round")->capture_default_str();
  cmd->add_option("--rounds", o.rounds, "Models trained per run")->capture_default_str();
  cmd->add_option("--steps", o.steps, "Optimiser steps per round (the same for every strategy)")
      ->capture_default_str();
  cmd->add_option("--batch", o.batch, "Images per step")->capture_default_str();
  cmd->add_option("--input-size", o.input_size, "Network input size")->capture_default_str();
  cmd->add_option("--lr", o.lr, "Peak learning rate")->capture_default_str();
  cmd->add_option("--arch", o.arch, "Architecture")->capture_default_str();
  cmd->add_option("--test-fraction", o.test_fraction, "Held-out test fraction")
      ->capture_default_str();
  cmd->add_option("--split-seed", o.split_seed, "Seed of the test split")->capture_default_str();
  cmd->add_flag("!--no-warm-start", o.warm_start,
                "Fine-tune every round from the pretrained weights instead of the last model");
  cmd->add_option("--pretrained", o.pretrained, "Pretrained weights for the first round");
  cmd->add_option("--work", o.work_dir,
                  "Folder for the scratch projects (default PROJECT/simulation)");
  cmd->add_option("--out", args->out,
                  "Report JSON (default PROJECT/simulation.json); an existing report of the same "
                  "design is continued");
  cmd->add_flag("--fresh", args->fresh_start, "Ignore an existing report");
  cmd->callback([args] { run_simulate(*args); });
}

}  // namespace boxloop::cli
