// Diversity on image feature vectors (the detector's pooled backbone features, one vector per
// image): what picks images that are spread out rather than many of the same kind. Pure C++ so
// that active/ stays free of LibTorch; the vectors come from Detector::embed via loop/score.h.
//
// - k_center_greedy: farthest-first traversal (Sener & Savarese, ICLR 2018, "core-set"), used by
//   the '+diverse' strategies after an uncertainty pre-selection, as PPAL does (Yang et al.,
//   CVPR 2024).
// - typical_spread: TypiClust (Hacohen et al., ICML 2022) for the first batch, when nothing is
//   labeled: k-means into K clusters, then the most typical image of each cluster.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace boxloop::active {

using FeatureVectors = std::vector<std::vector<float>>;

// The vectors scaled to unit L2 norm, so that distances compare directions (cosine geometry) and
// not the activation scale, which differs between images of different brightness or size. A zero
// (or non-finite) vector becomes all zeros.
FeatureVectors l2_normalised(FeatureVectors features);

// Farthest-first traversal of `points`: each pick is the point whose (Euclidean) distance to its
// nearest centre is largest, the centres being `covered` plus the points picked so far. With
// `covered` empty the first pick is `first`. Returns min(count, points.size()) distinct indices
// in pick order; equal distances go to the lower index (callers pass points most-wanted first).
// Throws kInvalidArgument when the vectors differ in length or `first` is out of range.
std::vector<std::size_t> k_center_greedy(const FeatureVectors& points,
                                         const FeatureVectors& covered, std::size_t count,
                                         std::size_t first = 0);

// Per point: 1 / (mean Euclidean distance to its min(neighbours, n - 1) nearest other points), as
// TypiClust defines typicality (high in dense regions, low for outliers). Infinity for a point
// with that many exact duplicates; 0 for a lone point (n = 1).
std::vector<double> typicality(const FeatureVectors& points, int neighbours = 20);

// TypiClust's pick of k typical, spread-out points: k-means with k clusters (k-means++ seeding
// from std::mt19937_64(seed), Lloyd iterations until the assignment is stable, at most 100; the
// best of 10 such runs by inertia, as scikit-learn's KMeans does); in each cluster, the point of
// highest typicality among that cluster's points (20 neighbours). The picks come largest cluster
// first (TypiClust's order), so a prefix is still spread out. Clusters that end empty (duplicate
// points) are made up by the most typical remaining points of the whole set. Returns
// min(k, points.size()) distinct indices; same inputs and seed give the same picks. Throws
// kInvalidArgument when the vectors differ in length or k < 0.
std::vector<std::size_t> typical_spread(const FeatureVectors& points, int k, std::uint64_t seed);

}  // namespace boxloop::active
