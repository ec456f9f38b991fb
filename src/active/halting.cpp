#include "active/halting.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "core/error.h"

namespace boxloop::active {
namespace {

constexpr double kSpreadShare = 0.1;      // the plugin's merge tolerance, as a share of the spread
constexpr double kLevelShare = 0.02;      // the floor, as a share of the largest |value|
constexpr double kClearFactor = 2.0;      // green: a gain of at least this many tolerances
constexpr std::size_t kNeverRedTop = 10;  // the plugin's "at least 10 green", as "never red"
constexpr int kQuantileBins = 11;         // the plugin's quantiles at 0, 1/11, ..., 11/11

// A run of equal values in the sorted queue: [begin, end) in sorted order.
struct Run {
  double value = 0;
  std::size_t begin = 0, end = 0;
  double gain = 0;  // value - mean of every queued value at or below it
};

std::vector<Run> runs_of(const std::vector<double>& sorted) {
  std::vector<Run> runs;
  double sum = 0;  // of sorted[0 .. end)
  for (std::size_t begin = 0; begin < sorted.size();) {
    std::size_t end = begin;
    while (end < sorted.size() && sorted[end] == sorted[begin]) sum += sorted[end++];
    runs.push_back({sorted[begin], begin, end, sorted[begin] - sum / static_cast<double>(end)});
    begin = end;
  }
  return runs;
}

// numpy.quantile's default ("linear"): interpolate between the two order statistics around
// q * (n - 1).
double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

// 0, the quantile edges k/11 whose value stands at least `tolerance` above the last kept one, 1.
// Compared with the last KEPT edge, not the neighbour, so small steps add up to an edge.
std::vector<double> kept_edges(const std::vector<double>& sorted, double tolerance) {
  std::vector<double> edges = {0.0};
  double kept = sorted.front();
  for (int k = 1; k < kQuantileBins; ++k) {
    const double q = quantile(sorted, static_cast<double>(k) / kQuantileBins);
    if (q - kept >= tolerance) {
      edges.push_back(static_cast<double>(k) / kQuantileBins);
      kept = q;
    }
  }
  edges.push_back(1.0);
  return edges;
}

}  // namespace

std::string to_string(Zone zone) {
  switch (zone) {
    case Zone::kGreen:
      return "green";
    case Zone::kOrange:
      return "orange";
    case Zone::kRed:
      return "red";
  }
  throw Error{ErrorCode::kInternal, "unknown Zone value"};
}

double HaltingReport::normalise(double uncertainty) const {
  if (values_.empty() || std::isnan(uncertainty)) return 0.0;
  if (uncertainty < values_.front()) return 0.0;
  if (uncertainty > values_.back()) return 1.0;
  const auto above = std::lower_bound(values_.begin(), values_.end(), uncertainty);
  const auto i = static_cast<std::size_t>(above - values_.begin());
  if (*above == uncertainty) return positions_[i];
  const double share = (uncertainty - values_[i - 1]) / (values_[i] - values_[i - 1]);
  return positions_[i - 1] + share * (positions_[i] - positions_[i - 1]);
}

Zone HaltingReport::zone(double uncertainty) const {
  if (all_red_ || !(uncertainty > highest_red_)) return Zone::kRed;  // NaN: red, like the bottom
  if (has_green_ && uncertainty >= lowest_green_) return Zone::kGreen;
  return Zone::kOrange;
}

HaltingReport halting_report(const std::vector<double>& uncertainties) {
  std::vector<double> sorted;
  sorted.reserve(uncertainties.size());
  for (double u : uncertainties) {
    if (std::isfinite(u)) sorted.push_back(u);  // a NaN has no place on the scale
  }
  std::sort(sorted.begin(), sorted.end());

  HaltingReport report;
  report.size = static_cast<int>(sorted.size());
  report.red_below = 1;
  report.green_from = 1;
  if (sorted.empty()) return report;
  report.min_uncertainty = sorted.front();
  report.max_uncertainty = sorted.back();

  const auto n = static_cast<double>(sorted.size());
  const std::vector<Run> runs = runs_of(sorted);
  for (const Run& run : runs) {
    report.values_.push_back(run.value);
    report.positions_.push_back(static_cast<double>(run.begin + run.end) / 2.0 / n);
  }
  if (runs.size() == 1) {  // constant: the order is the tie-break shuffle, random by construction
    report.flat_until = 1;
    report.edges = {0.0, 1.0};
    return report;
  }

  const double spread = sorted.back() - sorted.front();
  const double largest = std::max(std::abs(sorted.front()), std::abs(sorted.back()));
  report.tolerance = std::max(kSpreadShare * spread, kLevelShare * largest);
  report.edges = kept_edges(sorted, report.tolerance);

  // Flat: the highest run whose gain is under the tolerance. The lowest run's gain is 0 (up to
  // rounding, far under a tolerance of at least 2 % of the largest value), so there is one.
  const auto flat_from_top = [&](std::size_t highest) {
    std::size_t i = highest;
    while (i > 0 && runs[i].gain >= report.tolerance) --i;
    return i;
  };
  const std::size_t flat = flat_from_top(runs.size() - 1);
  report.flat_until = static_cast<double>(runs[flat].end) / n;

  // Red: the same search, started below every run that holds one of the kNeverRedTop most
  // uncertain images; the lowest run is always a candidate.
  const std::size_t protected_from =
      sorted.size() > kNeverRedTop ? sorted.size() - kNeverRedTop : 0;
  std::size_t highest_candidate = 0;
  while (highest_candidate + 1 < runs.size() && runs[highest_candidate + 1].end <= protected_from) {
    ++highest_candidate;
  }
  const std::size_t red = flat_from_top(highest_candidate);
  report.all_red_ = false;
  report.highest_red_ = runs[red].value;
  report.red_below = static_cast<double>(runs[red].end) / n;

  // Green: the top run of runs clearing kClearFactor tolerances.
  std::size_t green = runs.size();
  while (green > 0 && runs[green - 1].gain >= kClearFactor * report.tolerance) --green;
  if (green < runs.size()) {
    report.has_green_ = true;
    report.lowest_green_ = runs[green].value;
    report.green_from = static_cast<double>(runs[green].begin) / n;
  }
  return report;
}

Json to_json(const HaltingReport& report) {
  return Json{{"size", report.size},           {"flat_until", report.flat_until},
              {"red_below", report.red_below}, {"green_from", report.green_from},
              {"min", report.min_uncertainty}, {"max", report.max_uncertainty},
              {"edges", report.edges}};
}

Json to_json(const HaltingReport& report, double current) {
  Json out = to_json(report);
  out["current"] = Json{{"uncertainty", current},
                        {"position", report.normalise(current)},
                        {"zone", to_string(report.zone(current))}};
  return out;
}

}  // namespace boxloop::active
