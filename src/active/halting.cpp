#include "active/halting.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <iterator>

#include "core/error.h"

namespace boxloop::active {
namespace {

// The reference plugin's constants (cardinal/criteria.py in dss-plugin-ml-assisted-labeling).
constexpr int kQuantileBins = 11;         // quantiles at 0, 1/11, ..., 11/11
constexpr double kMergeTolerance = 0.1;   // a tenth of the queue's spread (the plugin: raw scale)
constexpr int kHistogramBins = 10;        // numpy.histogram's default
constexpr long kFlatDistanceTenths = 2;   // L1 distance under 0.2: flat
constexpr int kLastRedBin = 1;            // bins 0 and 1: red
constexpr int kFirstGreenBin = 10;        // the top bin: green
constexpr std::ptrdiff_t kMinGreen = 10;  // ... but never fewer than this many images

// numpy.quantile's default ("linear"): interpolate between the two order statistics around
// q * (n - 1).
double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

// The 11 lower bin edges (quantiles 0 .. 10/11) after merging. A gap under the tolerance means
// the scores there barely differ, so the two quantile bins are one "locally uniform" stretch: the
// upper edge drops onto the lower one. The test compares the ORIGINAL gaps, so a run of small gaps
// collapses onto its first edge however wide the run is in total.
std::vector<double> merged_lower_edges(const std::vector<double>& sorted) {
  std::vector<double> quantiles(kQuantileBins + 1);
  for (int k = 0; k <= kQuantileBins; ++k) {
    quantiles[k] = quantile(sorted, static_cast<double>(k) / kQuantileBins);
  }
  std::vector<double> edges = quantiles;
  for (int k = 0; k < kQuantileBins; ++k) {
    if (quantiles[k + 1] - quantiles[k] < kMergeTolerance) edges[k + 1] = edges[k];
  }
  edges.pop_back();  // the maximum closes the top bin; it is not a lower edge
  return edges;
}

// numpy.digitize(x, edges) - 1 on non-decreasing edges: the number of edges at or below x, less
// one. Edges merged into one value put everything at or above it into the HIGHEST bin id of the
// run, so a merged stretch belongs to the top of its run.
int bin_of(double x, const std::vector<double>& edges) {
  return static_cast<int>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin()) - 1;
}

// Whether values (bin means, one per image) spread evenly over their own range: a single value
// does; otherwise their 10-bin histogram must be within L1 distance 0.2 of the uniform one over
// ALL 10 bins. The plugin also accepts a uniform over any run of neighbouring bins, which lets up
// to a tenth of the values lie anywhere: one quantile bin is an eleventh of the queue, so its test
// swallowed the top bin into the flat part whenever the rest had merged (a dense low cluster with
// a spread-out uncertain tail came out all flat). Counted in integers: sum |1/10 - c/m| < 2/10
// <=> sum |m - 10 c| < 2 m, so a distance of exactly 0.2 is not flat, whatever the rounding.
bool spreads_evenly(const std::vector<double>& values) {
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = *hi_it;
  if (!(hi > lo)) return true;
  std::array<long, kHistogramBins> counts{};
  for (double v : values) {
    ++counts[std::min(kHistogramBins - 1,
                      static_cast<int>(std::floor((v - lo) / (hi - lo) * kHistogramBins)))];
  }
  const auto m = static_cast<long>(values.size());
  long distance = 0;  // in units of 1 / (10 m)
  for (long c : counts) distance += std::labs(m - kHistogramBins * c);
  return distance < kFlatDistanceTenths * m;
}

// The plugin's search for the flat low end: each image stands for the mean of its quantile bin;
// from the top bin down, the first prefix (all bins up to i) whose bin means spread evenly is
// flat. The lowest bin alone is one value, always flat. Then, our second tightening: the flat part
// stops below the first gap between neighbouring images of a tenth of the scale or more, because
// a bin can straddle such a gap (its lower edge merged down into a dense run) and images standing
// that far apart from the ones below them are not "random-like". Returns the index in `sorted` of
// the last flat image.
std::size_t last_flat_index(const std::vector<double>& sorted, const std::vector<int>& bins) {
  std::vector<double> bin_mean(sorted.size());
  for (std::size_t begin = 0; begin < sorted.size();) {
    std::size_t end = begin;
    double sum = 0;
    while (end < sorted.size() && bins[end] == bins[begin]) sum += sorted[end++];
    std::fill(bin_mean.begin() + static_cast<std::ptrdiff_t>(begin),
              bin_mean.begin() + static_cast<std::ptrdiff_t>(end),
              sum / static_cast<double>(end - begin));
    begin = end;
  }
  // Bins are non-decreasing along `sorted`, so a prefix of bins is a prefix of the images.
  std::size_t last = 0;
  for (std::size_t end = sorted.size(); end > 0;) {
    const std::vector<double> prefix(bin_mean.begin(),
                                     bin_mean.begin() + static_cast<std::ptrdiff_t>(end));
    if (spreads_evenly(prefix)) {
      last = end - 1;
      break;
    }
    const int bin = bins[end - 1];
    while (end > 0 && bins[end - 1] == bin) --end;
  }
  for (std::size_t i = 1; i <= last; ++i) {
    if (sorted[i] - sorted[i - 1] >= kMergeTolerance) return i - 1;
  }
  return last;
}

HaltingReport all_red(const std::vector<double>& sorted) {
  HaltingReport report;
  report.size = static_cast<int>(sorted.size());
  if (!sorted.empty()) report.min_uncertainty = report.max_uncertainty = sorted.front();
  report.edges = sorted.empty() ? std::vector<double>{} : std::vector<double>{0.0};
  report.flat_until = sorted.empty() ? 0.0 : 1.0;
  report.red_below = 1;
  report.green_from = 1;
  return report;
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
  if (!(max_uncertainty > min_uncertainty) || std::isnan(uncertainty)) return 0.0;
  return std::clamp((uncertainty - min_uncertainty) / (max_uncertainty - min_uncertainty), 0.0,
                    1.0);
}

Zone HaltingReport::zone(double uncertainty) const {
  const double position = normalise(uncertainty);
  if (position <= red_below) return Zone::kRed;  // red first: it may reach green_from
  if (position >= green_from) return Zone::kGreen;
  return Zone::kOrange;
}

HaltingReport halting_report(const std::vector<double>& uncertainties) {
  std::vector<double> sorted;
  sorted.reserve(uncertainties.size());
  for (double u : uncertainties) {
    if (std::isfinite(u)) sorted.push_back(u);  // a NaN has no place on the scale
  }
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty() || sorted.front() == sorted.back()) return all_red(sorted);

  HaltingReport report;
  report.size = static_cast<int>(sorted.size());
  report.min_uncertainty = sorted.front();
  report.max_uncertainty = sorted.back();
  // Everything below works on the normalised scale, so the tolerances are shares of the spread.
  std::vector<double> x(sorted.size());
  std::transform(sorted.begin(), sorted.end(), x.begin(),
                 [&](double u) { return report.normalise(u); });

  const std::vector<double> edges = merged_lower_edges(x);
  for (double edge : edges) {
    if (report.edges.empty() || edge > report.edges.back()) report.edges.push_back(edge);
  }
  if (report.edges.back() < 1.0) report.edges.push_back(1.0);

  std::vector<int> bins(x.size());
  std::transform(x.begin(), x.end(), bins.begin(), [&](double v) { return bin_of(v, edges); });

  // Red: the flat low end, and at least the plugin's red (below the last image of bins 0..1,
  // that image itself excluded). Both are whole runs of equal values, so a boundary at an image's
  // position with "at or below" splits no tie.
  report.flat_until = x[last_flat_index(x, bins)];
  report.red_below = report.flat_until;
  const auto last_low =
      std::find_if(bins.rbegin(), bins.rend(), [](int b) { return b <= kLastRedBin; });
  if (last_low != bins.rend()) {
    const double boundary = x[static_cast<std::size_t>(bins.rend() - last_low - 1)];
    const auto below = std::lower_bound(x.begin(), x.end(), boundary);
    if (below != x.begin()) report.red_below = std::max(report.red_below, *std::prev(below));
  }

  // Green: from the first image of the top bin, but at least the kMinGreen most uncertain images
  // (all of them when there are fewer); never inside red (red wins at red_below itself, and
  // red_below = 1 leaves green_from = 1 with nothing green).
  const auto n = static_cast<std::ptrdiff_t>(x.size());
  const auto top =
      std::find_if(bins.begin(), bins.end(), [](int b) { return b >= kFirstGreenBin; });
  std::ptrdiff_t green_index = top != bins.end() ? top - bins.begin() : n - kMinGreen;
  green_index = std::max<std::ptrdiff_t>(std::min(n - kMinGreen, green_index), 0);
  report.green_from = std::max(x[static_cast<std::size_t>(green_index)], report.red_below);
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
