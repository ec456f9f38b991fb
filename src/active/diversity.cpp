#include "active/diversity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include "core/error.h"

namespace boxloop::active {
namespace {

constexpr int kTypicalityNeighbours = 20;  // TypiClust's choice
constexpr int kMaxLloydIterations = 100;
// k-means restarts, the best (lowest inertia) kept, as scikit-learn's KMeans (which TypiClust
// uses) does: one k-means++ seeding can put two centres in one cluster and Lloyd never moves them.
constexpr int kKMeansRestarts = 10;

// Throws unless every vector of both sets has the same length; returns it (0 when both are empty).
std::size_t common_dimension(const FeatureVectors& a, const FeatureVectors& b = {}) {
  std::size_t dim = !a.empty() ? a.front().size() : (!b.empty() ? b.front().size() : 0);
  for (const FeatureVectors* set : {&a, &b}) {
    for (const auto& v : *set) {
      if (v.size() != dim) {
        throw Error{ErrorCode::kInvalidArgument, "feature vectors differ in length (" +
                                                     std::to_string(v.size()) + " and " +
                                                     std::to_string(dim) + ")"};
      }
    }
  }
  return dim;
}

double squared_distance(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    sum += d * d;
  }
  return sum;
}

// Mean Euclidean distance of each point to its min(neighbours, n - 1) nearest others: the inverse
// of typicality, kept as is so that exact duplicates (distance 0) still compare.
std::vector<double> mean_neighbour_distance(const FeatureVectors& points,
                                            const std::vector<std::size_t>& members,
                                            int neighbours) {
  const std::size_t n = members.size();
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(neighbours), n - 1);
  std::vector<double> out(n, std::numeric_limits<double>::infinity());
  if (k == 0) return out;
  std::vector<double> distances;
  distances.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    distances.clear();
    for (std::size_t j = 0; j < n; ++j) {
      if (j != i) {
        distances.push_back(std::sqrt(squared_distance(points[members[i]], points[members[j]])));
      }
    }
    std::nth_element(distances.begin(), distances.begin() + static_cast<std::ptrdiff_t>(k - 1),
                     distances.end());
    out[i] = std::accumulate(distances.begin(), distances.begin() + static_cast<std::ptrdiff_t>(k),
                             0.0) /
             static_cast<double>(k);
  }
  return out;
}

// The member with the smallest mean neighbour distance (highest typicality); ties to the lower
// index. A lone member is picked as it is.
std::size_t most_typical(const FeatureVectors& points, const std::vector<std::size_t>& members) {
  const auto spread = mean_neighbour_distance(points, members, kTypicalityNeighbours);
  std::size_t best = 0;
  for (std::size_t i = 1; i < members.size(); ++i) {
    if (spread[i] < spread[best] || (spread[i] == spread[best] && members[i] < members[best])) {
      best = i;
    }
  }
  return members[best];
}

// k-means++ seeding (Arthur & Vassilvitskii 2007): the first centre uniform, each next one drawn
// with probability proportional to its squared distance to the nearest centre. Stops early when
// every point coincides with a centre (fewer distinct points than k).
FeatureVectors kmeans_plus_plus(const FeatureVectors& points, std::size_t k, std::mt19937_64& rng) {
  FeatureVectors centres;
  std::uniform_int_distribution<std::size_t> uniform(0, points.size() - 1);
  centres.push_back(points[uniform(rng)]);
  std::vector<double> nearest(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    nearest[i] = squared_distance(points[i], centres.back());
  }
  while (centres.size() < k) {
    const double total = std::accumulate(nearest.begin(), nearest.end(), 0.0);
    if (!(total > 0)) break;
    // Drawn by hand rather than std::discrete_distribution, whose algorithm the standard leaves
    // open: the same seed must give the same picks with every standard library.
    const double target = std::uniform_real_distribution<double>(0, total)(rng);
    double running = 0;
    std::size_t pick = points.size();
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (nearest[i] <= 0) continue;
      running += nearest[i];
      pick = i;
      if (running > target) break;
    }
    centres.push_back(points[pick]);
    for (std::size_t i = 0; i < points.size(); ++i) {
      nearest[i] = std::min(nearest[i], squared_distance(points[i], centres.back()));
    }
  }
  return centres;
}

std::size_t nearest_centre(const std::vector<float>& point, const FeatureVectors& centres) {
  std::size_t best = 0;
  double best_distance = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < centres.size(); ++c) {
    const double d = squared_distance(point, centres[c]);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

struct Clustering {
  std::vector<std::size_t> assignment;  // each point's cluster
  double inertia = 0;                   // sum of squared distances to the assigned centres
};

// Lloyd's iterations from the given centres.
Clustering lloyd(const FeatureVectors& points, FeatureVectors centres) {
  const std::size_t dim = points.front().size();
  std::vector<std::size_t> assignment(points.size(), centres.size());
  for (int iteration = 0; iteration < kMaxLloydIterations; ++iteration) {
    bool changed = false;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::size_t c = nearest_centre(points[i], centres);
      changed = changed || c != assignment[i];
      assignment[i] = c;
    }
    if (!changed) break;
    std::vector<std::vector<double>> sums(centres.size(), std::vector<double>(dim, 0.0));
    std::vector<std::size_t> counts(centres.size(), 0);
    for (std::size_t i = 0; i < points.size(); ++i) {
      ++counts[assignment[i]];
      for (std::size_t d = 0; d < dim; ++d) sums[assignment[i]][d] += points[i][d];
    }
    for (std::size_t c = 0; c < centres.size(); ++c) {
      if (counts[c] == 0) continue;  // an empty cluster keeps its centre
      for (std::size_t d = 0; d < dim; ++d) {
        centres[c][d] = static_cast<float>(sums[c][d] / static_cast<double>(counts[c]));
      }
    }
  }
  Clustering out{std::move(assignment), 0.0};
  for (std::size_t i = 0; i < points.size(); ++i) {
    out.inertia += squared_distance(points[i], centres[out.assignment[i]]);
  }
  return out;
}

}  // namespace

FeatureVectors l2_normalised(FeatureVectors features) {
  for (auto& v : features) {
    double norm = 0;
    for (float x : v) norm += static_cast<double>(x) * x;
    norm = std::sqrt(norm);
    if (!(norm > 0) || !std::isfinite(norm)) {
      std::fill(v.begin(), v.end(), 0.0f);
      continue;
    }
    for (float& x : v) x = static_cast<float>(x / norm);
  }
  return features;
}

std::vector<std::size_t> k_center_greedy(const FeatureVectors& points,
                                         const FeatureVectors& covered, std::size_t count,
                                         std::size_t first) {
  common_dimension(points, covered);
  count = std::min(count, points.size());
  if (count == 0) return {};
  if (covered.empty() && first >= points.size()) {
    throw Error{ErrorCode::kInvalidArgument, "k-center greedy: the first pick is out of range"};
  }
  // Squared distance of each point to its nearest centre; -1 marks a picked point.
  std::vector<double> nearest(points.size(), std::numeric_limits<double>::infinity());
  for (const auto& centre : covered) {
    for (std::size_t i = 0; i < points.size(); ++i) {
      nearest[i] = std::min(nearest[i], squared_distance(points[i], centre));
    }
  }
  std::vector<std::size_t> picks;
  picks.reserve(count);
  while (picks.size() < count) {
    std::size_t pick = 0;
    if (picks.empty() && covered.empty()) {
      pick = first;
    } else {
      // The first strict maximum: ties go to the lower index.
      for (std::size_t i = 1; i < points.size(); ++i) {
        if (nearest[i] > nearest[pick]) pick = i;
      }
    }
    picks.push_back(pick);
    nearest[pick] = -1;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (nearest[i] >= 0)
        nearest[i] = std::min(nearest[i], squared_distance(points[i], points[pick]));
    }
  }
  return picks;
}

std::vector<double> typicality(const FeatureVectors& points, int neighbours) {
  common_dimension(points);
  if (points.empty()) return {};
  if (points.size() == 1) return {0.0};
  std::vector<std::size_t> all(points.size());
  std::iota(all.begin(), all.end(), 0);
  std::vector<double> out = mean_neighbour_distance(points, all, std::max(neighbours, 1));
  for (double& spread : out) {
    spread = spread > 0 ? 1.0 / spread : std::numeric_limits<double>::infinity();
  }
  return out;
}

std::vector<std::size_t> typical_spread(const FeatureVectors& points, int k, std::uint64_t seed) {
  if (k < 0) throw Error{ErrorCode::kInvalidArgument, "typical_spread: k must not be negative"};
  common_dimension(points);
  const std::size_t wanted = std::min(static_cast<std::size_t>(k), points.size());
  if (wanted == 0) return {};

  std::mt19937_64 rng(seed);
  Clustering best;
  std::size_t cluster_count = 0;
  for (int restart = 0; restart < kKMeansRestarts; ++restart) {
    const FeatureVectors centres = kmeans_plus_plus(points, wanted, rng);
    Clustering clustering = lloyd(points, centres);
    if (restart == 0 || clustering.inertia < best.inertia) {
      best = std::move(clustering);
      cluster_count = centres.size();
    }
  }
  std::vector<std::vector<std::size_t>> clusters(cluster_count);
  for (std::size_t i = 0; i < points.size(); ++i) clusters[best.assignment[i]].push_back(i);

  struct Pick {
    std::size_t index;
    std::size_t cluster_size;
  };
  std::vector<Pick> picks;
  for (const auto& members : clusters) {
    if (!members.empty()) picks.push_back({most_typical(points, members), members.size()});
  }
  std::sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) {
    if (a.cluster_size != b.cluster_size) return a.cluster_size > b.cluster_size;
    return a.index < b.index;
  });
  std::vector<std::size_t> out;
  out.reserve(wanted);
  for (const Pick& p : picks) out.push_back(p.index);

  if (out.size() < wanted) {
    // Fewer clusters than asked for (many duplicate points): the most typical of the rest.
    const std::vector<double> typical = typicality(points, kTypicalityNeighbours);
    std::vector<bool> taken(points.size(), false);
    for (std::size_t i : out) taken[i] = true;
    std::vector<std::size_t> rest;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!taken[i]) rest.push_back(i);
    }
    std::stable_sort(rest.begin(), rest.end(),
                     [&](std::size_t a, std::size_t b) { return typical[a] > typical[b]; });
    for (std::size_t i = 0; out.size() < wanted; ++i) out.push_back(rest[i]);
  }
  return out;
}

}  // namespace boxloop::active
