// The statistics of a simulation report (loop/simulate.h): learning curves over seeds with 95 %
// Student-t intervals, paired differences against random on the same seeds at equal images and at
// equal boxes, and the savings figure. Free of LibTorch and of the store: plain numbers in, plain
// numbers out.
//
// Rules (the README and the report state them too):
// - An interval is the two-sided 95 % Student-t interval of a mean over seeds,
//   mean +- t(0.975, n - 1) * s / sqrt(n), s the sample standard deviation; none below 2 seeds.
// - Paired against random per seed (runs of one seed start from the same images and train with
//   the same seeds). At equal images: the same round. At equal boxes: random's curve of that seed
//   linearly interpolated at the strategy's box count, only inside random's range of boxes (no
//   extrapolation; rounds outside it are left out). The first round is random for every strategy,
//   so the overall difference of a seed is the mean over the later rounds.
// - Savings: the share of random's final boxes (and images) a strategy needs to reach random's
//   final mAP@0.5: where its curve first reaches that mAP, linearly interpolated between rounds; on
//   the mean curves (means over seeds of boxes and mAP per round) and per seed. "Not reached" when
//   the curve stays below.
// - Effort (issue 14), for runs that simulated it: seconds of labeling under the report's cost
//   model (loop/state/oracle_effort.h), with the round models' proposals, and the same boxes all
//   drawn. The effort savings of a strategy (random included: random order with proposals) is the
//   share of random's final effort WITHOUT proposals (its boxes x the draw cost) it needs WITH
//   proposals to reach random's final mAP@0.5, on the mean curves and per seed as above. Paired at
//   equal effort: random's curve with proposals interpolated at the strategy's effort. Runs from
//   before effort was simulated have none, and a strategy with such a run (or without effort on
//   random's side) gets no effort figures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "loop/state/oracle_effort.h"

namespace boxloop::loop {

// What labeling cost up to a round (cumulative over the run's rounds).
struct SimulatedEffort {
  double seconds = 0;        // the oracle with the round models' proposals
  double seconds_drawn = 0;  // the same boxes all drawn: labeling without proposals
  OracleActions actions;
  bool operator==(const SimulatedEffort&) const = default;
};

// One point of a learning curve.
struct RoundResult {
  int images = 0;  // labeled images the model was trained on
  int boxes = 0;   // boxes on them
  double map50 = 0;
  double map = 0;
  double train_seconds = 0;
  std::string from;  // where the round's training started: "pretrained", "scratch" or "last"
  std::optional<SimulatedEffort> effort;  // none in reports from before effort was simulated
};

struct RunResult {
  std::string strategy;
  std::uint64_t seed = 0;
  std::string commit;  // of the code that ran it (a continued report may mix commits)
  std::vector<RoundResult> rounds;
};

// A round's effort is written as "effort_seconds", "effort_seconds_drawn" and "actions":
// {"drawn", "accepted", "adjusted", "rejected"} (all cumulative), and left out when it has none.
Json to_json(const RunResult& run);
// Reads a run of a report file; a round without "effort_seconds" has no effort (an older
// report). Throws kCorrupt naming the field when it is malformed.
RunResult run_from_json(const Json& run);

// A mean over seeds and its 95 % Student-t interval; low/high are unset below 2 values.
struct MeanInterval {
  double mean = 0;
  std::optional<double> low;
  std::optional<double> high;
  int n = 0;
};

// The p-quantile of Student's t distribution with `df` degrees of freedom (p in (0, 1), df >= 1).
double student_t_quantile(double p, int df);
// Mean and two-sided 95 % t-interval of `values`; n = 0 gives a mean of 0 and no interval.
MeanInterval mean_interval(const std::vector<double>& values);

// y at `at` on the piecewise linear curve through (x[i], y[i]), x non-decreasing; nullopt outside
// [x.front(), x.back()] (or for an empty curve). Where x repeats, the first point of the run
// counts.
std::optional<double> interpolate(const std::vector<double>& x, const std::vector<double>& y,
                                  double at);

// Where the curve first reaches `target`: the x at which y first gets to target, linearly
// interpolated on the segment where it crosses; x.front() when the first point already does;
// nullopt when no point does.
std::optional<double> first_reach(const std::vector<double>& x, const std::vector<double>& y,
                                  double target);

struct RoundStats {
  MeanInterval images;
  MeanInterval boxes;
  MeanInterval map50;
  MeanInterval map;
  // Seconds of effort (SimulatedEffort), when every run of the strategy has it.
  std::optional<MeanInterval> effort_seconds;
  std::optional<MeanInterval> effort_seconds_drawn;
};

// The strategy minus random, per seed, at one round.
struct PairedRound {
  double at = 0;  // the round's mean images (equal images) or mean boxes (equal boxes)
  MeanInterval delta;
  int won = 0;  // seeds where the strategy's mAP@0.5 is above random's
};

struct PairedComparison {
  std::vector<PairedRound> rounds;
  MeanInterval overall;  // per seed the mean difference over the rounds after the first
  int won = 0;           // seeds whose overall difference is above 0
};

struct SeedSavings {
  std::uint64_t seed = 0;
  double target_map50 = 0;            // random's final mAP@0.5 on this seed
  std::optional<double> boxes_share;  // nullopt: not reached
  std::optional<double> images_share;
};

struct Savings {
  double target_map50 = 0;            // random's final mean mAP@0.5
  double random_boxes = 0;            // random's final mean boxes
  double random_images = 0;           // random's final mean images
  std::optional<double> boxes_share;  // on the mean curves; nullopt: not reached
  std::optional<double> images_share;
  std::vector<SeedSavings> per_seed;
  MeanInterval seed_boxes_share;  // over the seeds that reached it
  MeanInterval seed_images_share;
};

struct SeedEffortSavings {
  std::uint64_t seed = 0;
  double target_map50 = 0;      // random's final mAP@0.5 on this seed
  std::optional<double> share;  // of random's final effort without proposals; nullopt: not reached
};

struct EffortSavings {
  double target_map50 = 0;          // random's final mean mAP@0.5
  double random_seconds_drawn = 0;  // random's final mean effort without proposals
  double random_seconds = 0;        // random's final mean effort with proposals
  std::optional<double> share;      // on the mean curves; nullopt: not reached
  std::optional<double> seconds;    // the effort where the mean curve reaches the target
  std::vector<SeedEffortSavings> per_seed;
  MeanInterval seed_share;  // over the seeds that reached it
};

struct StrategySummary {
  std::string strategy;
  std::vector<std::uint64_t> seeds;
  std::vector<RoundStats> rounds;
  // Against random on the seeds both ran; unset for random itself or without random runs.
  std::optional<PairedComparison> equal_images;
  std::optional<PairedComparison> equal_boxes;
  std::optional<Savings> savings;
  // Against random's effort at the same mAP@0.5 (random itself included: with proposals against
  // without); unset when this strategy's or random's runs lack effort.
  std::optional<EffortSavings> effort_savings;
  // Paired against random with proposals at equal effort; unset for random and without effort.
  std::optional<PairedComparison> equal_effort;
};

struct SimulationSummary {
  std::vector<StrategySummary> strategies;  // in the order the runs name them
};

// Runs of one strategy and seed are expected once each; rounds are compared by position.
SimulationSummary summarise(const std::vector<RunResult>& runs);

// {"interval": "<how>", "strategies": [{"strategy", "seeds": [..], "rounds": [{"images": MI,
// "boxes": MI, "map50": MI, "map": MI, "effort_seconds"?: MI, "effort_seconds_drawn"?: MI}],
// "vs_random": {"equal_images": PC, "equal_boxes": PC, "equal_effort"?: PC}, "savings": {...},
// "effort_savings"?: {"target_map50", "random_seconds_drawn", "random_seconds", "share",
// "seconds", "per_seed": [{"seed", "target_map50", "share"}], "seed_share": MI}}]} with MI =
// {"mean", "low", "high", "n"} (low/high null below 2 seeds) and PC =
// {"rounds": [{"at", "delta": MI, "won"}], "overall": MI, "won"}.
Json to_json(const SimulationSummary& summary);

// The one-line description of the interval, as the report and the CLI print it.
extern const char* const kIntervalDescription;

}  // namespace boxloop::loop
