#include "loop/simulation_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.h"

namespace boxloop::loop {

const char* const kIntervalDescription =
    "95 % two-sided Student-t interval of the mean over seeds: mean +- t(0.975, n-1) * sd / "
    "sqrt(n)";

namespace {

[[noreturn]] void corrupt(const std::string& what) {
  throw Error{ErrorCode::kCorrupt, "simulation report: " + what};
}

const Json& field(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) corrupt(std::string("missing '") + key + "'");
  return object[key];
}

double number(const Json& object, const char* key) {
  const Json& v = field(object, key);
  if (!v.is_number()) corrupt(std::string("'") + key + "' is not a number");
  return v.get<double>();
}

int count(const Json& object, const char* key) {
  const Json& v = field(object, key);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
      v.get<std::int64_t>() > std::numeric_limits<int>::max()) {
    corrupt(std::string("'") + key + "' is not a count");
  }
  return v.get<int>();
}

// Regularised incomplete beta function I_x(a, b) by its continued fraction (modified Lentz),
// evaluated where it converges fast and mirrored elsewhere.
double incomplete_beta(double x, double a, double b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x > (a + 1) / (a + b + 2)) return 1 - incomplete_beta(1 - x, b, a);
  constexpr double kTiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double f = d;
  for (int m = 1; m <= 500; ++m) {
    const double m2 = 2.0 * m;
    double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    for (int half = 0; half < 2; ++half) {
      d = 1 + num * d;
      if (std::abs(d) < kTiny) d = kTiny;
      c = 1 + num / c;
      if (std::abs(c) < kTiny) c = kTiny;
      d = 1 / d;
      f *= d * c;
      num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    }
    if (std::abs(d * c - 1) < 1e-15) break;
  }
  return std::exp(log_front) * f / a;
}

double student_t_cdf(double t, int df) {
  const double v = df;
  const double tail = 0.5 * incomplete_beta(v / (v + t * t), v / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

// The mean curve of runs: per round the mean images, boxes, effort and mAP@0.5 over the runs.
// `effort` is empty when a round has none.
struct Curve {
  std::vector<double> images, boxes, effort, map50;
};

Curve run_curve(const RunResult& run) {
  Curve c;
  bool effort = true;
  for (const RoundResult& r : run.rounds) {
    c.images.push_back(r.images);
    c.boxes.push_back(r.boxes);
    c.map50.push_back(r.map50);
    effort = effort && r.effort.has_value();
    if (effort) c.effort.push_back(r.effort->seconds);
  }
  if (!effort) c.effort.clear();
  return c;
}

Curve mean_curve(const std::vector<RoundStats>& rounds) {
  Curve c;
  bool effort = true;
  for (const RoundStats& r : rounds) {
    c.images.push_back(r.images.mean);
    c.boxes.push_back(r.boxes.mean);
    c.map50.push_back(r.map50.mean);
    effort = effort && r.effort_seconds.has_value();
    if (effort) c.effort.push_back(r.effort_seconds->mean);
  }
  if (!effort) c.effort.clear();
  return c;
}

// Whether every round of every run has effort (a strategy's effort figures need all of them).
bool all_have_effort(const std::vector<const RunResult*>& runs) {
  if (runs.empty()) return false;
  for (const RunResult* run : runs) {
    for (const RoundResult& r : run->rounds) {
      if (!r.effort) return false;
    }
  }
  return true;
}

// The axis two curves are paired along.
enum class Axis { kImages, kBoxes, kEffort };

const std::vector<double>& along(const Curve& c, Axis axis) {
  return axis == Axis::kImages ? c.images : axis == Axis::kBoxes ? c.boxes : c.effort;
}

std::optional<double> share(const std::optional<double>& reached, double of) {
  if (!reached || of <= 0) return std::nullopt;
  return *reached / of;
}

// The strategy minus random per seed along one axis: at equal boxes (or effort) random's curve
// is interpolated at the strategy's box counts (or seconds); at equal images rounds are paired by
// position (the same images).
PairedComparison paired(const std::vector<const RunResult*>& runs,
                        const std::map<std::uint64_t, const RunResult*>& random, Axis axis) {
  std::size_t n_rounds = 0;
  for (const RunResult* run : runs) n_rounds = std::max(n_rounds, run->rounds.size());
  std::vector<std::vector<double>> per_round(n_rounds), at(n_rounds);
  std::vector<int> won(n_rounds, 0);
  std::vector<double> overall;
  PairedComparison out;
  for (const RunResult* run : runs) {
    const auto it = random.find(run->seed);
    if (it == random.end()) continue;
    const Curve base = run_curve(*it->second);
    const Curve own = run_curve(*run);
    std::vector<double> later;
    for (std::size_t r = 0; r < run->rounds.size(); ++r) {
      const RoundResult& point = run->rounds[r];
      std::optional<double> base_map;
      if (axis == Axis::kImages) {
        if (r < base.map50.size()) base_map = base.map50[r];
      } else if (r < along(own, axis).size()) {
        base_map = interpolate(along(base, axis), base.map50, along(own, axis)[r]);
      }
      if (!base_map) continue;
      const double delta = point.map50 - *base_map;
      per_round[r].push_back(delta);
      at[r].push_back(along(own, axis)[r]);
      if (delta > 0) ++won[r];
      if (r > 0) later.push_back(delta);
    }
    if (later.empty()) continue;
    const double mean_later = mean_interval(later).mean;
    overall.push_back(mean_later);
    if (mean_later > 0) ++out.won;
  }
  for (std::size_t r = 0; r < n_rounds; ++r) {
    if (per_round[r].empty()) continue;
    out.rounds.push_back({mean_interval(at[r]).mean, mean_interval(per_round[r]), won[r]});
  }
  out.overall = mean_interval(overall);
  return out;
}

Savings savings(const std::vector<const RunResult*>& runs,
                const std::map<std::uint64_t, const RunResult*>& random,
                const std::vector<RoundStats>& own_rounds,
                const std::vector<RoundStats>& random_rounds) {
  Savings s;
  const RoundStats& last = random_rounds.back();
  s.target_map50 = last.map50.mean;
  s.random_boxes = last.boxes.mean;
  s.random_images = last.images.mean;
  const Curve own = mean_curve(own_rounds);
  s.boxes_share = share(first_reach(own.boxes, own.map50, s.target_map50), s.random_boxes);
  s.images_share = share(first_reach(own.images, own.map50, s.target_map50), s.random_images);
  std::vector<double> boxes_shares, images_shares;
  for (const RunResult* run : runs) {
    const auto it = random.find(run->seed);
    if (it == random.end() || it->second->rounds.empty()) continue;
    const RoundResult& base = it->second->rounds.back();
    const Curve c = run_curve(*run);
    SeedSavings seed{run->seed, base.map50, std::nullopt, std::nullopt};
    seed.boxes_share = share(first_reach(c.boxes, c.map50, base.map50), base.boxes);
    seed.images_share = share(first_reach(c.images, c.map50, base.map50), base.images);
    if (seed.boxes_share) boxes_shares.push_back(*seed.boxes_share);
    if (seed.images_share) images_shares.push_back(*seed.images_share);
    s.per_seed.push_back(seed);
  }
  s.seed_boxes_share = mean_interval(boxes_shares);
  s.seed_images_share = mean_interval(images_shares);
  return s;
}

// Effort savings: the mean curves, then per seed against that seed's random run.
EffortSavings effort_savings(const std::vector<const RunResult*>& runs,
                             const std::map<std::uint64_t, const RunResult*>& random,
                             const std::vector<RoundStats>& own_rounds,
                             const std::vector<RoundStats>& random_rounds) {
  EffortSavings s;
  const RoundStats& last = random_rounds.back();
  s.target_map50 = last.map50.mean;
  s.random_seconds_drawn = last.effort_seconds_drawn.value_or(MeanInterval{}).mean;
  s.random_seconds = last.effort_seconds.value_or(MeanInterval{}).mean;
  const Curve own = mean_curve(own_rounds);
  s.seconds = first_reach(own.effort, own.map50, s.target_map50);
  s.share = share(s.seconds, s.random_seconds_drawn);
  std::vector<double> shares;
  for (const RunResult* run : runs) {
    const auto it = random.find(run->seed);
    if (it == random.end() || it->second->rounds.empty()) continue;
    const RoundResult& base = it->second->rounds.back();
    if (!base.effort) continue;
    const Curve c = run_curve(*run);
    SeedEffortSavings seed{run->seed, base.map50, std::nullopt};
    seed.share = share(first_reach(c.effort, c.map50, base.map50), base.effort->seconds_drawn);
    if (seed.share) shares.push_back(*seed.share);
    s.per_seed.push_back(seed);
  }
  s.seed_share = mean_interval(shares);
  return s;
}

Json optional_json(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

Json to_json(const MeanInterval& m) {
  return Json{
      {"mean", m.mean}, {"low", optional_json(m.low)}, {"high", optional_json(m.high)}, {"n", m.n}};
}

Json to_json(const PairedComparison& p) {
  Json rounds = Json::array();
  for (const PairedRound& r : p.rounds) {
    rounds.push_back({{"at", r.at}, {"delta", to_json(r.delta)}, {"won", r.won}});
  }
  return Json{{"rounds", rounds}, {"overall", to_json(p.overall)}, {"won", p.won}};
}

Json to_json(const Savings& s) {
  Json per_seed = Json::array();
  for (const SeedSavings& seed : s.per_seed) {
    per_seed.push_back({{"seed", seed.seed},
                        {"target_map50", seed.target_map50},
                        {"boxes_share", optional_json(seed.boxes_share)},
                        {"images_share", optional_json(seed.images_share)}});
  }
  return Json{{"target_map50", s.target_map50},
              {"random_boxes", s.random_boxes},
              {"random_images", s.random_images},
              {"boxes_share", optional_json(s.boxes_share)},
              {"images_share", optional_json(s.images_share)},
              {"per_seed", per_seed},
              {"seed_boxes_share", to_json(s.seed_boxes_share)},
              {"seed_images_share", to_json(s.seed_images_share)}};
}

Json to_json(const EffortSavings& s) {
  Json per_seed = Json::array();
  for (const SeedEffortSavings& seed : s.per_seed) {
    per_seed.push_back({{"seed", seed.seed},
                        {"target_map50", seed.target_map50},
                        {"share", optional_json(seed.share)}});
  }
  return Json{
      {"target_map50", s.target_map50},      {"random_seconds_drawn", s.random_seconds_drawn},
      {"random_seconds", s.random_seconds},  {"share", optional_json(s.share)},
      {"seconds", optional_json(s.seconds)}, {"per_seed", per_seed},
      {"seed_share", to_json(s.seed_share)}};
}

Json round_json(const RoundResult& r) {
  Json j{{"images", r.images},
         {"boxes", r.boxes},
         {"map50", r.map50},
         {"map", r.map},
         {"train_seconds", r.train_seconds},
         {"from", r.from}};
  if (r.effort) {
    j["effort_seconds"] = r.effort->seconds;
    j["effort_seconds_drawn"] = r.effort->seconds_drawn;
    j["actions"] = to_json(r.effort->actions);
  }
  return j;
}

// A round's effort, none when it was not simulated (an older report).
std::optional<SimulatedEffort> round_effort(const Json& r) {
  if (!r.contains("effort_seconds")) return std::nullopt;
  SimulatedEffort e;
  e.seconds = number(r, "effort_seconds");
  e.seconds_drawn = number(r, "effort_seconds_drawn");
  try {
    e.actions = oracle_actions_from_json(field(r, "actions"));
  } catch (const Error& error) {
    corrupt(error.what());
  }
  return e;
}

}  // namespace

Json to_json(const RunResult& run) {
  Json rounds = Json::array();
  for (const RoundResult& r : run.rounds) rounds.push_back(round_json(r));
  return Json{
      {"strategy", run.strategy}, {"seed", run.seed}, {"commit", run.commit}, {"rounds", rounds}};
}

RunResult run_from_json(const Json& j) {
  RunResult run;
  const Json& strategy = field(j, "strategy");
  if (!strategy.is_string()) corrupt("a run's strategy is not a string");
  run.strategy = strategy.get<std::string>();
  const Json& seed = field(j, "seed");
  if (!seed.is_number_unsigned()) corrupt("a run's seed is not a non-negative integer");
  run.seed = seed.get<std::uint64_t>();
  run.commit = j.value("commit", std::string("unknown"));
  const Json& rounds = field(j, "rounds");
  if (!rounds.is_array()) corrupt("a run's rounds are not a list");
  for (const Json& r : rounds) {
    RoundResult point;
    point.images = count(r, "images");
    point.boxes = count(r, "boxes");
    point.map50 = number(r, "map50");
    point.map = number(r, "map");
    point.train_seconds = r.value("train_seconds", 0.0);
    point.from = r.value("from", std::string());
    point.effort = round_effort(r);
    run.rounds.push_back(point);
  }
  return run;
}

double student_t_quantile(double p, int df) {
  if (!(p > 0 && p < 1) || df < 1) {
    throw Error{ErrorCode::kInvalidArgument, "t quantile: p must be in (0, 1) and df at least 1"};
  }
  if (p < 0.5) return -student_t_quantile(1 - p, df);
  double lo = 0, hi = 1;
  while (student_t_cdf(hi, df) < p) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = (lo + hi) / 2;
    (student_t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

MeanInterval mean_interval(const std::vector<double>& values) {
  MeanInterval m;
  m.n = static_cast<int>(values.size());
  if (values.empty()) return m;
  double sum = 0;
  for (double v : values) sum += v;
  m.mean = sum / m.n;
  if (m.n < 2) return m;
  double squares = 0;
  for (double v : values) squares += (v - m.mean) * (v - m.mean);
  const double se = std::sqrt(squares / (m.n - 1)) / std::sqrt(static_cast<double>(m.n));
  const double half = student_t_quantile(0.975, m.n - 1) * se;
  m.low = m.mean - half;
  m.high = m.mean + half;
  return m;
}

std::optional<double> interpolate(const std::vector<double>& x, const std::vector<double>& y,
                                  double at) {
  if (x.empty() || x.size() != y.size() || at < x.front() || at > x.back()) return std::nullopt;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] == at) return y[i];
    if (x[i] > at) {
      const double t = (at - x[i - 1]) / (x[i] - x[i - 1]);
      return y[i - 1] + t * (y[i] - y[i - 1]);
    }
  }
  return std::nullopt;  // not reached: at <= x.back() returns in the loop
}

std::optional<double> first_reach(const std::vector<double>& x, const std::vector<double>& y,
                                  double target) {
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (y[i] < target) continue;
    if (i == 0) return x[0];
    const double t = (target - y[i - 1]) / (y[i] - y[i - 1]);
    return x[i - 1] + t * (x[i] - x[i - 1]);
  }
  return std::nullopt;
}

SimulationSummary summarise(const std::vector<RunResult>& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunResult*>> by_strategy;
  for (const RunResult& run : runs) {
    if (!by_strategy.count(run.strategy)) order.push_back(run.strategy);
    by_strategy[run.strategy].push_back(&run);
  }
  std::map<std::uint64_t, const RunResult*> random;
  for (const RunResult* run : by_strategy["random"]) random[run->seed] = run;

  SimulationSummary out;
  std::vector<RoundStats> random_rounds;
  for (const std::string& strategy : order) {
    StrategySummary s;
    s.strategy = strategy;
    const auto& list = by_strategy[strategy];
    std::size_t n_rounds = 0;
    for (const RunResult* run : list) {
      s.seeds.push_back(run->seed);
      n_rounds = std::max(n_rounds, run->rounds.size());
    }
    const bool effort = all_have_effort(list);
    for (std::size_t r = 0; r < n_rounds; ++r) {
      std::vector<double> images, boxes, map50, map, seconds, seconds_drawn;
      for (const RunResult* run : list) {
        if (r >= run->rounds.size()) continue;
        const RoundResult& p = run->rounds[r];
        images.push_back(p.images);
        boxes.push_back(p.boxes);
        map50.push_back(p.map50);
        map.push_back(p.map);
        if (effort) {
          seconds.push_back(p.effort->seconds);
          seconds_drawn.push_back(p.effort->seconds_drawn);
        }
      }
      RoundStats stats;
      stats.images = mean_interval(images);
      stats.boxes = mean_interval(boxes);
      stats.map50 = mean_interval(map50);
      stats.map = mean_interval(map);
      if (effort) {
        stats.effort_seconds = mean_interval(seconds);
        stats.effort_seconds_drawn = mean_interval(seconds_drawn);
      }
      s.rounds.push_back(stats);
    }
    if (strategy == "random") random_rounds = s.rounds;
    out.strategies.push_back(std::move(s));
  }
  const bool random_effort = all_have_effort(by_strategy["random"]);
  for (StrategySummary& s : out.strategies) {
    if (random.empty() || s.rounds.empty() || random_rounds.empty()) continue;
    const auto& list = by_strategy[s.strategy];
    const bool effort = random_effort && all_have_effort(list);
    if (effort) s.effort_savings = effort_savings(list, random, s.rounds, random_rounds);
    if (s.strategy == "random") continue;
    s.equal_images = paired(list, random, Axis::kImages);
    s.equal_boxes = paired(list, random, Axis::kBoxes);
    if (effort) s.equal_effort = paired(list, random, Axis::kEffort);
    s.savings = savings(list, random, s.rounds, random_rounds);
  }
  return out;
}

Json to_json(const SimulationSummary& summary) {
  Json strategies = Json::array();
  for (const StrategySummary& s : summary.strategies) {
    Json rounds = Json::array();
    for (const RoundStats& r : s.rounds) {
      Json round{{"images", to_json(r.images)},
                 {"boxes", to_json(r.boxes)},
                 {"map50", to_json(r.map50)},
                 {"map", to_json(r.map)}};
      if (r.effort_seconds) round["effort_seconds"] = to_json(*r.effort_seconds);
      if (r.effort_seconds_drawn) round["effort_seconds_drawn"] = to_json(*r.effort_seconds_drawn);
      rounds.push_back(std::move(round));
    }
    Json entry{{"strategy", s.strategy}, {"seeds", s.seeds}, {"rounds", rounds}};
    if (s.equal_images && s.equal_boxes) {
      entry["vs_random"] = {{"equal_images", to_json(*s.equal_images)},
                            {"equal_boxes", to_json(*s.equal_boxes)}};
      if (s.equal_effort) entry["vs_random"]["equal_effort"] = to_json(*s.equal_effort);
    }
    if (s.savings) entry["savings"] = to_json(*s.savings);
    if (s.effort_savings) entry["effort_savings"] = to_json(*s.effort_savings);
    strategies.push_back(entry);
  }
  return Json{{"interval", kIntervalDescription}, {"strategies", strategies}};
}

}  // namespace boxloop::loop
