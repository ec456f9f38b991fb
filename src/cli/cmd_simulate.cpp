// boxloop simulate: replays the active-learning loop on a fully labeled project (loop/simulate.h),
// writes the report (JSON) and its plot (SVG), and prints per strategy the learning curve with
// 95 % intervals and how it compares with random order on the same seeds.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <tuple>

#include "cli/commands.h"
#include "cli/number_text.h"
#include "cli/shared_paths.h"
#include "core/error.h"
#include "imageio/image_file.h"
#include "loop/score.h"
#include "loop/simulate.h"
#include "loop/simulation_plot.h"
#include "store/store.h"

namespace boxloop::cli {

namespace fs = std::filesystem;

namespace {

struct SimulateArgs {
  std::string project;
  loop::SimulationOptions options;
  bool strategies_given = false;
  std::string train_json;
  std::string out;
  std::string svg;
  bool fresh_start = false;
  // The cost model: each flag given replaces that cost; --cost-measured first fits them on the
  // project's own recorded effort.
  bool cost_measured = false;
  std::optional<double> cost_draw, cost_verify, cost_adjust, cost_reject;
};

// "0.512 [0.480, 0.544]", or the mean alone below 2 seeds.
std::string with_interval(const loop::MeanInterval& m, int digits = 3, bool sign = false) {
  std::string s = fixed(m.mean, digits, sign);
  if (m.low && m.high) {
    s += " [" + fixed(*m.low, digits, sign) + ", " + fixed(*m.high, digits, sign) + "]";
  }
  return s;
}

// Seconds as minutes, interval included.
loop::MeanInterval minutes(loop::MeanInterval m) {
  m.mean /= 60;
  if (m.low) *m.low /= 60;
  if (m.high) *m.high /= 60;
  return m;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s + " ";
}

// Output of a shell command, empty when it fails.
std::string command_output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  if (::pclose(pipe) != 0) return {};
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The commit of the checkout this binary was built from (build/src/cli/boxloop lies three
// folders below it; else the source folder it was configured from), else of the working
// directory's; "-dirty" when the tree has changes that
// are not committed (the figures then come from code no commit holds); "unknown" outside git.
std::string source_commit() {
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back((exe.parent_path() / "../../..").lexically_normal());
#ifdef BOXLOOP_SOURCE_DIR
  roots.emplace_back(BOXLOOP_SOURCE_DIR);
#endif
  roots.push_back(fs::current_path());
  for (const fs::path& root : roots) {
    const std::string git = "git -C " + shell_quote(root.string()) + " ";
    std::string hash = command_output(git + "rev-parse HEAD 2>/dev/null");
    while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r')) hash.pop_back();
    if (hash.size() != 40) continue;
    const std::string changes =
        command_output(git + "status --porcelain --untracked-files=normal 2>/dev/null");
    return changes.empty() ? hash : hash + "-dirty";
  }
  return "unknown";
}

std::string caption(const Json& report, const loop::SimulationSummary& summary) {
  const Json& test = report["test"];
  std::string s = test["kind"] == "split"
                      ? "test: " + percent(test["fraction"].get<double>()) + " split"
                      : "test: external";
  s += " (" + test["images"].dump() + " images, " + test["boxes"].dump() + " boxes)";
  const Json& t = report["round_training"];
  s += "; rounds of " + t["steps"].dump() + " steps at " + t["input_size"].dump() + " px";
  std::size_t seeds = 0;
  for (const auto& st : summary.strategies) seeds = std::max(seeds, st.seeds.size());
  s += "; " + std::to_string(seeds) + " seeds; commit " +
       report["commit"].get<std::string>().substr(0, 12);
  return s;
}

// The effort axis: what each strategy labeling with proposals needs to reach random's final mAP,
// against random labeled without proposals (every box drawn).
void print_effort_savings(const Json& report, const loop::SimulationSummary& summary) {
  bool any = false;
  for (const loop::StrategySummary& s : summary.strategies) {
    if (!s.effort_savings) continue;
    const loop::EffortSavings& v = *s.effort_savings;
    if (!any) {
      const Json& options = report["options"];
      std::cout << "\neffort (oracle with the round model's proposals; costs in seconds "
                << (options.contains("costs") ? options["costs"].dump() : std::string("?")) << ", "
                << options.value("cost_source", std::string("?"))
                << "), against random WITHOUT proposals (" << fixed(v.random_seconds_drawn / 60, 1)
                << " min to its final mAP@0.5 " << fixed(v.target_map50) << "):\n";
      any = true;
    }
    std::cout << s.strategy << " with proposals\n  needs "
              << (v.share ? percent(*v.share) + " (" + fixed(*v.seconds / 60, 1) + " min)"
                          : std::string("- (not reached)"))
              << " of random's effort without proposals (mean curves); per seed: ";
    const loop::MeanInterval& m = v.seed_share;
    if (m.n > 0) {
      std::cout << percent(m.mean);
      if (m.low && m.high) std::cout << " [" << percent(*m.low) << ", " << percent(*m.high) << "]";
      std::cout << ", ";
    }
    std::cout << "reached on " << m.n << " of " << v.per_seed.size() << " seeds\n";
    if (s.equal_effort) {
      const loop::PairedComparison& p = *s.equal_effort;
      std::cout << "  at equal effort against random with proposals: ";
      if (p.overall.n == 0) {
        std::cout << "- (no later round within random's range)\n";
      } else {
        std::cout << with_interval(p.overall, 3, true) << ", won " << p.won << " of " << p.overall.n
                  << " seeds\n";
      }
    }
  }
  if (!any) std::cout << "\n(no effort figures: the runs predate the effort simulation)\n";
}

void print_summary(const Json& report, const loop::SimulationSummary& summary) {
  const Json& test = report["test"];
  std::cout << "\ntest mAP@0.5 (" << test["kind"].get<std::string>() << " test set, "
            << test["images"] << " images), mean [" << loop::kIntervalDescription << "]\n";
  std::cout << pad("strategy", 28) << pad("seeds", 5) << pad("round", 5) << pad("images", 6)
            << pad("boxes", 22) << pad("effort min", 22) << pad("drawn min", 9) << "mAP@0.5\n";
  for (const loop::StrategySummary& s : summary.strategies) {
    for (std::size_t r = 0; r < s.rounds.size(); ++r) {
      const loop::RoundStats& p = s.rounds[r];
      std::cout << pad(r == 0 ? s.strategy : "", 28)
                << pad(r == 0 ? std::to_string(s.seeds.size()) : "", 5)
                << pad(std::to_string(r + 1), 5) << pad(fixed(p.images.mean, 0), 6)
                << pad(with_interval(p.boxes, 1), 22)
                << pad(p.effort_seconds ? with_interval(minutes(*p.effort_seconds), 1) : "-", 22)
                << pad(p.effort_seconds_drawn ? fixed(p.effort_seconds_drawn->mean / 60, 1) : "-",
                       9)
                << with_interval(p.map50) << "\n";
    }
  }
  bool compared = false;
  for (const loop::StrategySummary& s : summary.strategies) {
    if (!s.equal_images || !s.equal_boxes || !s.savings) continue;
    if (!compared) {
      std::cout << "\nagainst random, paired per seed (mAP@0.5 difference, mean over the rounds "
                   "after the first; at equal boxes random's curve is interpolated):\n";
      compared = true;
    }
    const auto line = [](const loop::PairedComparison& p) {
      if (p.overall.n == 0) return std::string("- (no later round within random's range)");
      return with_interval(p.overall, 3, true) + ", won " + std::to_string(p.won) + " of " +
             std::to_string(p.overall.n) + " seeds";
    };
    std::cout << s.strategy << "\n  at equal images: " << line(*s.equal_images)
              << "\n  at equal boxes:  " << line(*s.equal_boxes) << "\n";
    const loop::Savings& v = *s.savings;
    std::cout << "  to reach random's final mAP@0.5 (" << fixed(v.target_map50) << ") it needs ";
    if (v.boxes_share) {
      std::cout << percent(*v.boxes_share) << " of random's boxes";
    } else {
      std::cout << "- (not reached) of random's boxes";
    }
    std::cout << " and "
              << (v.images_share ? percent(*v.images_share) : std::string("- (not reached)"))
              << " of its images (mean curves)";
    const int reached = v.seed_boxes_share.n;
    std::cout << "; per seed: ";
    if (reached > 0) {
      const loop::MeanInterval& m = v.seed_boxes_share;
      std::cout << percent(m.mean);
      if (m.low && m.high) std::cout << " [" << percent(*m.low) << ", " << percent(*m.high) << "]";
      std::cout << " of random's boxes, ";
    }
    std::cout << "reached on " << reached << " of " << v.per_seed.size() << " seeds\n";
  }
  if (!compared) std::cout << "\n(no random runs: nothing to compare with)\n";
  print_effort_savings(report, summary);
  if (report["run_commits"].size() > 1) {
    std::cout << "note: the runs come from " << report["run_commits"].size()
              << " different commits (see each run's \"commit\")\n";
  }
}

void write_outputs(const Json& report, const fs::path& out, const fs::path& svg) {
  write_file_atomically(out, report.dump(2));
  const loop::SimulationSummary summary = loop::summarise(loop::report_runs(report));
  write_file_atomically(svg, loop::simulation_svg(summary, caption(report, summary)));
}

// The oracle's cost model: published defaults, or fitted on the project's own labelers, with
// each cost given on the command line written over. `source` says which.
loop::CostModel cost_model(const SimulateArgs& args, Store& store, std::string& source) {
  loop::CostModel costs;
  source = "published";
  if (args.cost_measured) {
    const loop::MeasuredCost m = loop::measured_cost_model(store.effort_events());
    costs = m.costs;
    source = "measured (saves: draw " + std::to_string(m.draw_saves) + ", verify " +
             std::to_string(m.verify_saves) + ", adjust " + std::to_string(m.adjust_saves) +
             ", reject " + std::to_string(m.reject_saves) + "; 0: published default)";
    spdlog::info("simulate: cost model {} {}", loop::to_json(costs).dump(), source);
  }
  bool given = false;
  for (const auto& [flag, value, field] :
       {std::tuple{"--cost-draw", args.cost_draw, &costs.draw},
        std::tuple{"--cost-verify", args.cost_verify, &costs.verify},
        std::tuple{"--cost-adjust", args.cost_adjust, &costs.adjust},
        std::tuple{"--cost-reject", args.cost_reject, &costs.reject}}) {
    if (!value) continue;
    if (*value < 0) {
      throw Error{ErrorCode::kInvalidArgument, std::string(flag) + " must not be negative"};
    }
    *field = *value;
    given = true;
  }
  if (given) source += "; given on the command line";
  return costs;
}

void run_simulate(SimulateArgs args) {
  auto store = Store::open(args.project);
  loop::SimulationOptions& o = args.options;
  if (!args.strategies_given) {
    o.strategies = {"random"};
    if (const std::string own = loop::project_strategy(*store); own != "random") {
      o.strategies.push_back(own);
    }
  }
  if (!args.train_json.empty()) {
    o.train_overrides = Json::parse(args.train_json, nullptr, false);
    if (o.train_overrides.is_discarded() || !o.train_overrides.is_object()) {
      throw Error{ErrorCode::kInvalidArgument,
                  "--train must be a JSON object of training options, e.g. '{\"steps\":100}'"};
    }
  }
  o.costs = cost_model(args, *store, o.cost_source);
  o.pretrained_fallbacks = shared_pretrained_fallbacks();
  o.commit = source_commit();
  if (o.work_dir.empty()) o.work_dir = store->dir() / "simulation";
  const fs::path out = args.out.empty() ? store->dir() / "simulation.json" : fs::path(args.out);
  const fs::path svg =
      args.svg.empty() ? fs::path(out).replace_extension(".svg") : fs::path(args.svg);
  if (fs::exists(out) && !args.fresh_start) {
    // Continue a killed simulation (simulate() refuses a report of another design).
    Json previous = Json::parse(read_file_bytes(out), nullptr, false);
    if (previous.is_discarded() || !previous.contains("options")) {
      throw Error{ErrorCode::kCorrupt,
                  out.string() + " is not a simulation report; give another --out or --fresh"};
    }
    o.previous_report = previous;
  }
  spdlog::info("simulate: commit {}", o.commit);
  const Json report =
      loop::simulate(*store, o, [&](const Json& partial) { write_outputs(partial, out, svg); });
  write_outputs(report, out, svg);
  print_summary(report, loop::summarise(loop::report_runs(report)));
  std::cout << "report: " << out.string() << "\nplot:   " << svg.string() << "\n";
}

}  // namespace

void add_simulate_commands(CLI::App& app) {
  auto args = std::make_shared<SimulateArgs>();
  loop::SimulationOptions& o = args->options;
  auto* cmd = app.add_subcommand(
      "simulate",
      "Replay labeling on a fully labeled project to compare query strategies with random "
      "(every round trains as a loop round of the project does)");
  cmd->add_option("project", args->project, "Project folder whose labels act as the oracle")
      ->required();
  auto* strategies =
      cmd->add_option("--strategies", o.strategies,
                      "Strategy specs to compare (default: random and the project's strategy); "
                      "prefix one with typiclust/ to start its runs with TypiClust's first "
                      "batch instead of random images, with regions/ to ask box-level queries "
                      "(each image labeled only where its model is unsure), with "
                      "regions+settled/ to also keep the model's sure boxes as labels, or with "
                      "regions+proposals/ to keep every box it would propose");
  strategies->delimiter(',');
  cmd->add_option("--seeds", o.seeds,
                  "Seeds (each gives every strategy the same first images); >= 5 for a claim")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--start", o.start, "Images labeled at random before the first model")
      ->capture_default_str();
  cmd->add_option("--step", o.step, "Images labeled per round")->capture_default_str();
  cmd->add_option("--rounds", o.rounds, "Models trained per run")->capture_default_str();
  cmd->add_option("--test-fraction", o.test_fraction,
                  "Held-out test split of the project (without --test-images)")
      ->capture_default_str();
  cmd->add_option("--split-seed", o.split_seed, "Seed of the test split")->capture_default_str();
  auto* images = cmd->add_option("--test-images", o.test_images,
                                 "External test set: its image folder (the whole project is "
                                 "then the pool)");
  auto* annotations = cmd->add_option("--test-annotations", o.test_annotations,
                                      "External test set: VOC folder, COCO .json or .csv");
  images->needs(annotations);
  annotations->needs(images);
  cmd->add_option("--train", args->train_json,
                  "Training options written over the project's \"train\" settings for every "
                  "round, as JSON (e.g. '{\"steps\":100,\"input_size\":224}'); default: the "
                  "rounds train exactly as the project's loop does");
  cmd->add_option("--pretrained", o.pretrained, "Pretrained weights for the first round");
  cmd->add_option("--work", o.work_dir,
                  "Folder for the scratch projects (default PROJECT/simulation)");
  cmd->add_option("--out", args->out,
                  "Report JSON (default PROJECT/simulation.json); an existing report of the same "
                  "design is continued");
  cmd->add_option("--svg", args->svg, "Plot (default: the report's path with .svg)");
  cmd->add_flag("--fresh", args->fresh_start, "Ignore an existing report");
  cmd->add_option("--cost-draw", args->cost_draw,
                  "Seconds to draw a box (default 7.0: extreme clicking, Papadopoulos et al. "
                  "ICCV 2017)");
  cmd->add_option("--cost-verify", args->cost_verify,
                  "Seconds to verify (accept) a proposed box (default 1.6: Papadopoulos et al. "
                  "CVPR 2016)");
  cmd->add_option("--cost-adjust", args->cost_adjust,
                  "Seconds to adjust a proposed box (default 5.1: verify + half a drawn box)");
  cmd->add_option("--cost-reject", args->cost_reject,
                  "Seconds to reject a proposed box (default 2.1: verify + a key)");
  cmd->add_flag("--cost-measured", args->cost_measured,
                "Fit the costs on the project's own recorded effort (saves with one kind of "
                "action); costs it cannot measure keep the default, --cost-* flags win");
  cmd->callback([args, strategies] {
    args->strategies_given = strategies->count() > 0;
    run_simulate(*args);
  });
}

}  // namespace boxloop::cli
