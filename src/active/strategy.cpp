#include "active/strategy.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string_view>

#include "active/diversity.h"
#include "core/error.h"

namespace boxloop::active {
namespace {

constexpr float kDefaultMinScore = 0.25f;
constexpr int kNoDetection = std::numeric_limits<int>::min();  // the group of images without one
constexpr std::string_view kBalancedSuffix = "+balanced";
constexpr std::string_view kDiverseSuffix = "+diverse";
constexpr std::string_view kEffortSuffix = "+effort";
constexpr const char* kGrammar =
    "expected 'random' or MEASURE[:AGGREGATION][+balanced|+diverse][+effort][@T] with MEASURE "
    "one of "
    "least_confidence, margin, entropy; AGGREGATION one of top_box (default), mean, max, sum; "
    "T the minimum detection score for mean/max/sum, in [0, 1] (default 0.25)";

[[noreturn]] void reject(const std::string& spec, const std::string& why) {
  throw Error{ErrorCode::kInvalidArgument,
              "invalid strategy '" + spec + "': " + why + " (" + kGrammar + ")"};
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

float parse_min_score(const std::string& spec, std::string_view text) {
  float value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
      !std::isfinite(value) || value < 0 || value > 1) {
    reject(spec, "minimum score '" + std::string(text) + "' is not a number in [0, 1]");
  }
  return value;
}

// Shortest text that reads back as the same float, so that to_string round-trips exactly.
std::string format_min_score(float value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc{}) throw Error{ErrorCode::kInternal, "cannot format a minimum score"};
  return {buffer, end};
}

// Per image: what the order is made of.
struct Candidate {
  Id image_id = 0;
  double uncertainty = 0;
  std::uint64_t tie_key = 0;  // seeded: equal uncertainties are ordered by this
  int group = kNoDetection;   // predicted class for +balanced
  std::size_t input = 0;      // index into rank_images' input (for its features)
};

// Most uncertain first; equal uncertainties by the seeded key, never by input (import) order.
bool comes_first(const Candidate& a, const Candidate& b) {
  if (a.uncertainty != b.uncertainty) return a.uncertainty > b.uncertainty;
  if (a.tie_key != b.tie_key) return a.tie_key < b.tie_key;
  return a.image_id < b.image_id;  // only for a 1 in 2^64 key collision
}

int predicted_class(const std::vector<Detection>& detections) {
  if (detections.empty()) return kNoDetection;
  const auto top =
      std::max_element(detections.begin(), detections.end(),
                       [](const Detection& a, const Detection& b) { return a.score < b.score; });
  return top->class_index;
}

// Round-robin over the predicted classes, so that every stretch of the queue covers every class.
// Each pass takes the best remaining image of every group and orders them by uncertainty: the
// queue still opens with the most uncertain image, and a class whose images are all sure cannot
// lead a pass just because its id is small.
std::vector<Candidate> interleave_by_class(const std::vector<Candidate>& sorted) {
  std::map<int, std::vector<Candidate>> groups;  // each in `sorted` order
  for (const Candidate& c : sorted) groups[c.group].push_back(c);
  std::vector<std::pair<std::vector<Candidate>*, std::size_t>> cursors;  // group, next index
  cursors.reserve(groups.size());
  for (auto& [group, members] : groups) cursors.emplace_back(&members, 0);

  std::vector<Candidate> out;
  out.reserve(sorted.size());
  while (out.size() < sorted.size()) {
    std::vector<Candidate> pass;
    for (auto& [members, next] : cursors) {
      if (next < members->size()) pass.push_back((*members)[next++]);
    }
    std::sort(pass.begin(), pass.end(), comes_first);
    out.insert(out.end(), pass.begin(), pass.end());
  }
  return out;
}

// PPAL's second stage: the head of the uncertainty order (3 x batch) reordered farthest-first, so
// that a batch of labels is not spent on near-duplicates of one confusing scene.
void diversify_head(std::vector<Candidate>& sorted, const std::vector<ScoredImage>& images,
                    const RankContext& context) {
  const int batch = context.batch_size > 0 ? context.batch_size : kDefaultBatchSize;
  const std::size_t pool =
      std::min(sorted.size(), static_cast<std::size_t>(batch) * kDiversePoolFactor);
  FeatureVectors points;
  points.reserve(pool);
  for (std::size_t i = 0; i < pool; ++i) {
    const std::vector<float>& features = images[sorted[i].input].features;
    if (features.empty()) {
      throw Error{ErrorCode::kInvalidArgument, "+diverse needs image features, and image " +
                                                   std::to_string(sorted[i].image_id) +
                                                   " has none"};
    }
    points.push_back(features);
  }
  const auto order = k_center_greedy(l2_normalised(std::move(points)),
                                     l2_normalised(context.labeled_features), pool, 0);
  std::vector<Candidate> head;
  head.reserve(pool);
  for (std::size_t i : order) head.push_back(sorted[i]);
  std::copy(head.begin(), head.end(), sorted.begin());
}

}  // namespace

Strategy parse_strategy(const std::string& spec) {
  std::string_view rest = trim(spec);
  if (rest.empty()) reject(spec, "it is empty");
  Strategy strategy;
  if (rest == "random") {
    strategy.random = true;
    return strategy;
  }
  if (rest.starts_with("random") && rest.size() > 6 &&
      std::string_view(":+@").find(rest[6]) != std::string_view::npos) {
    reject(spec, "'random' takes no aggregation or modifier");
  }

  // The modifiers may come in any order, each at most once.
  bool has_min_score = false;
  for (int i = 0; i < 4; ++i) {
    if (rest.ends_with(kBalancedSuffix)) {
      if (strategy.balanced) reject(spec, "'+balanced' is given twice");
      strategy.balanced = true;
      rest.remove_suffix(kBalancedSuffix.size());
      continue;
    }
    if (rest.ends_with(kDiverseSuffix)) {
      if (strategy.diverse) reject(spec, "'+diverse' is given twice");
      strategy.diverse = true;
      rest.remove_suffix(kDiverseSuffix.size());
      continue;
    }
    if (rest.ends_with(kEffortSuffix)) {
      if (strategy.per_effort) reject(spec, "'+effort' is given twice");
      strategy.per_effort = true;
      rest.remove_suffix(kEffortSuffix.size());
      continue;
    }
    const auto at = rest.rfind('@');
    if (at != std::string_view::npos && !has_min_score) {
      strategy.min_score = parse_min_score(spec, rest.substr(at + 1));
      has_min_score = true;
      rest = rest.substr(0, at);
    }
  }
  if (rest.find('@') != std::string_view::npos) reject(spec, "'@T' is given twice");
  if (rest.find('+') != std::string_view::npos) {
    reject(spec, "unexpected '+' (the modifiers are a trailing +balanced, +diverse or +effort)");
  }
  if (strategy.balanced && strategy.diverse) {
    // Both reorder the head of the queue, each by its own rule: one would undo the other.
    reject(spec, "'+balanced' and '+diverse' cannot be combined");
  }

  const auto colon = rest.find(':');
  const std::string measure(rest.substr(0, colon));
  if (measure.empty()) reject(spec, "the measure is missing");
  try {
    strategy.measure = measure_from_string(measure);
    if (colon != std::string_view::npos) {
      strategy.aggregation = aggregation_from_string(std::string(rest.substr(colon + 1)));
    }
  } catch (const Error& e) {
    reject(spec, e.what());
  }
  if (has_min_score && strategy.aggregation == Aggregation::kTopBox) {
    // top_box uses the single most confident box whatever its score: a threshold would be ignored
    // silently, and the spec would not read back the same.
    reject(spec, "'@T' applies to mean, max and sum only");
  }
  return strategy;
}

std::string to_string(const Strategy& strategy) {
  if (strategy.random) return "random";
  std::string out = to_string(strategy.measure);
  if (strategy.aggregation != Aggregation::kTopBox) {
    out += ":" + to_string(strategy.aggregation);
  }
  if (strategy.balanced) out += kBalancedSuffix;
  if (strategy.diverse) out += kDiverseSuffix;
  if (strategy.per_effort) out += kEffortSuffix;
  if (strategy.aggregation != Aggregation::kTopBox && strategy.min_score != kDefaultMinScore) {
    out += "@" + format_min_score(strategy.min_score);
  }
  return out;
}

bool operator==(const Strategy& a, const Strategy& b) {
  if (a.random || b.random) return a.random == b.random;  // random ignores every other field
  // The threshold only means something for the thresholded aggregations.
  const bool thresholded = a.aggregation != Aggregation::kTopBox;
  return a.measure == b.measure && a.aggregation == b.aggregation && a.balanced == b.balanced &&
         a.diverse == b.diverse && a.per_effort == b.per_effort &&
         (!thresholded || a.min_score == b.min_score);
}

// Simulated on the real cards with today's round models (README, "Which query order beats
// random", 5 seeds): no order beats random at equal boxes. least_confidence:sum, the earlier
// default, trailed random per second of labeling effort on every seed (its crowded photos cost
// seconds even as proposals); this one is level with random in images, boxes and effort, reaches
// the highest final mAP of those tried, and needs no embeddings to score.
std::string default_strategy_spec() { return "least_confidence:sum+effort"; }

bool needs_features(const Strategy& strategy) { return !strategy.random && strategy.diverse; }

std::vector<QueueEntry> rank_images(const std::vector<ScoredImage>& images,
                                    const Strategy& strategy, std::uint64_t seed,
                                    const RankContext& context) {
  std::mt19937_64 rng(seed);
  std::vector<Candidate> candidates;
  candidates.reserve(images.size());
  for (const ScoredImage& image : images) {
    Candidate c;
    c.image_id = image.image_id;
    c.tie_key = rng();
    c.input = candidates.size();
    if (strategy.random) {
      c.uncertainty = image_uncertainty(image.detections, Measure::kLeastConfidence,
                                        Aggregation::kTopBox, strategy.min_score);
    } else {
      c.uncertainty = image_uncertainty(image.detections, strategy.measure, strategy.aggregation,
                                        strategy.min_score);
      if (strategy.per_effort) {
        c.uncertainty /=
            expected_labeling_seconds(image.detections, strategy.min_score, context.costs);
      }
      c.group = predicted_class(image.detections);
    }
    candidates.push_back(c);
  }

  if (strategy.random) {
    // The order is the seeded keys alone; the uncertainty only rides along for the page.
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.tie_key < b.tie_key; });
  } else {
    std::sort(candidates.begin(), candidates.end(), comes_first);
    if (strategy.balanced) candidates = interleave_by_class(candidates);
    if (strategy.diverse) diversify_head(candidates, images, context);
    if (strategy.aggregation == Aggregation::kSum || strategy.per_effort) {
      // Ranked by the raw key above (dividing first could round two keys into a tie); the values
      // handed out are in 0..1 so that the halting scale works the same for every strategy.
      double largest = 0;
      for (const Candidate& c : candidates) largest = std::max(largest, c.uncertainty);
      if (largest > 0) {
        for (Candidate& c : candidates) c.uncertainty /= largest;
      }
    }
  }

  std::vector<QueueEntry> queue;
  queue.reserve(candidates.size());
  for (const Candidate& c : candidates) {
    queue.push_back({c.image_id, c.uncertainty, static_cast<int>(queue.size())});
  }
  return queue;
}

}  // namespace boxloop::active
