#include "active/strategy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "core/error.h"

namespace boxloop::active {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// A detection whose least-confidence uncertainty is `uncertainty` (a one-class vector), so that
// the tests state uncertainties directly; `class_index` is what +balanced groups by.
Detection unsure(double uncertainty, int class_index = 0, float score = 0.9f) {
  Detection d;
  d.class_index = class_index;
  d.score = score;
  d.class_probs = {static_cast<float>(1.0 - uncertainty)};
  return d;
}

ScoredImage image(Id id, std::vector<Detection> detections = {}) {
  return ScoredImage{id, std::move(detections)};
}

std::vector<Id> ids(const std::vector<QueueEntry>& queue) {
  std::vector<Id> out;
  out.reserve(queue.size());
  for (const QueueEntry& e : queue) out.push_back(e.image_id);
  return out;
}

std::vector<Id> input_order(const std::vector<ScoredImage>& images) {
  std::vector<Id> out;
  out.reserve(images.size());
  for (const ScoredImage& i : images) out.push_back(i.image_id);
  return out;
}

// Images 1..n without detections: every one scores 1, a single tie.
std::vector<ScoredImage> all_tied(int n) {
  std::vector<ScoredImage> images;
  for (int i = 1; i <= n; ++i) images.push_back(image(i));
  return images;
}

TEST(ParseStrategy, ReadsEveryPart) {
  const Strategy plain = parse_strategy("least_confidence");
  EXPECT_FALSE(plain.random);
  EXPECT_EQ(plain.measure, Measure::kLeastConfidence);
  EXPECT_EQ(plain.aggregation, Aggregation::kTopBox);
  EXPECT_FALSE(plain.balanced);
  EXPECT_FLOAT_EQ(plain.min_score, 0.25f);

  const Strategy full = parse_strategy("entropy:mean+balanced@0.4");
  EXPECT_EQ(full.measure, Measure::kEntropy);
  EXPECT_EQ(full.aggregation, Aggregation::kMean);
  EXPECT_TRUE(full.balanced);
  EXPECT_FLOAT_EQ(full.min_score, 0.4f);

  EXPECT_TRUE(parse_strategy("random").random);
  EXPECT_EQ(parse_strategy("margin:sum").aggregation, Aggregation::kSum);
  EXPECT_EQ(parse_strategy("margin:max").aggregation, Aggregation::kMax);
}

TEST(ParseStrategy, AcceptsEquivalentSpellings) {
  EXPECT_EQ(parse_strategy("entropy:mean@0.4+balanced"),
            parse_strategy("entropy:mean+balanced@0.4"));
  EXPECT_EQ(parse_strategy("least_confidence:top_box"), parse_strategy("least_confidence"));
  EXPECT_EQ(parse_strategy("  margin:max \n"), parse_strategy("margin:max"));
  EXPECT_EQ(to_string(parse_strategy("margin:mean@0.25")), "margin:mean");
  EXPECT_EQ(parse_strategy("entropy:mean@0.3+diverse"), parse_strategy("entropy:mean+diverse@0.3"));
}

TEST(ParseStrategy, ReadsTheDiverseModifier) {
  const Strategy s = parse_strategy("least_confidence:mean+diverse");
  EXPECT_TRUE(s.diverse);
  EXPECT_FALSE(s.balanced);
  EXPECT_EQ(s.aggregation, Aggregation::kMean);
  EXPECT_FALSE(parse_strategy("least_confidence:mean").diverse);
  EXPECT_TRUE(needs_features(s));
  EXPECT_FALSE(needs_features(parse_strategy("least_confidence:mean+balanced")));
  EXPECT_FALSE(needs_features(parse_strategy("random")));
}

TEST(ParseStrategy, CanonicalSpecsRoundTrip) {
  for (const char* spec :
       {"random", "least_confidence", "margin", "entropy", "entropy:mean", "margin:max",
        "least_confidence:sum", "least_confidence+balanced", "margin:mean+balanced@0.5",
        "entropy:sum@0.1", "least_confidence:max@0.3", "least_confidence:mean+diverse",
        "entropy:mean+diverse", "margin+diverse", "entropy:mean+diverse@0.3",
        "least_confidence:sum+effort", "margin+balanced+effort",
        "entropy:mean+diverse+effort@0.3"}) {
    EXPECT_EQ(to_string(parse_strategy(spec)), spec);
  }
}

TEST(ParseStrategy, EveryStrategyRoundTrips) {
  for (Measure m : {Measure::kLeastConfidence, Measure::kMargin, Measure::kEntropy}) {
    for (Aggregation a :
         {Aggregation::kTopBox, Aggregation::kMean, Aggregation::kMax, Aggregation::kSum}) {
      for (const auto& [balanced, diverse] :
           {std::pair{false, false}, std::pair{true, false}, std::pair{false, true}}) {
        for (float min_score : {0.0f, 0.25f, 0.3f, 0.123456f, 1.0f}) {
          for (bool per_effort : {false, true}) {
            const Strategy s{false, m, a, min_score, balanced, diverse, per_effort};
            EXPECT_EQ(parse_strategy(to_string(s)), s) << to_string(s);
          }
        }
      }
    }
  }
}

TEST(ParseStrategy, EqualityIgnoresOnlyFieldsWithoutEffect) {
  Strategy a = parse_strategy("margin:mean");
  Strategy b = a;
  b.min_score = 0.5f;
  EXPECT_FALSE(a == b);  // mean uses the threshold
  Strategy c = parse_strategy("margin");
  Strategy d = c;
  d.min_score = 0.5f;
  EXPECT_TRUE(c == d);  // top_box does not
  EXPECT_FALSE(parse_strategy("margin") == parse_strategy("margin+balanced"));
  EXPECT_FALSE(parse_strategy("margin") == parse_strategy("margin+diverse"));
  EXPECT_FALSE(parse_strategy("margin") == parse_strategy("margin+effort"));
  EXPECT_FALSE(parse_strategy("margin") == parse_strategy("entropy"));
  EXPECT_FALSE(parse_strategy("random") == parse_strategy("least_confidence"));
}

TEST(ParseStrategy, RejectsMalformedSpecsWithTheGrammar) {
  for (const char* spec : {"",
                           "   ",
                           "foo",
                           "confidence",
                           "margin:avg",
                           "margin:",
                           ":mean",
                           "margin:mean:max",
                           "random:mean",
                           "random+balanced",
                           "random@0.5",
                           "least_confidence@0.5",
                           "margin:mean@1.5",
                           "margin:mean@-0.1",
                           "margin:mean@abc",
                           "margin:mean@",
                           "margin:mean@0.2x",
                           "margin:mean@nan",
                           "margin+balanced+balanced",
                           "margin:mean@0.2@0.3",
                           "margin+fancy",
                           "random+diverse",
                           "margin+diverse+diverse",
                           "margin+effort+effort",
                           "random+effort",
                           "margin+balanced+diverse",
                           "margin:mean+diverse@0.2+balanced",
                           "margin+ diverse",
                           "Margin"}) {
    try {
      parse_strategy(spec);
      ADD_FAILURE() << "accepted '" << spec << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << spec;
      EXPECT_THAT(e.what(), HasSubstr("least_confidence, margin, entropy")) << spec;
      EXPECT_THAT(e.what(), HasSubstr("top_box")) << spec;
    }
  }
}

TEST(ParseStrategy, NamesTheWrongPart) {
  EXPECT_THROW(
      {
        try {
          parse_strategy("margin:median");
        } catch (const Error& e) {
          EXPECT_THAT(e.what(), HasSubstr("unknown aggregation 'median'"));
          throw;
        }
      },
      Error);
  EXPECT_THROW(
      {
        try {
          parse_strategy("least_confidence@0.5");
        } catch (const Error& e) {
          EXPECT_THAT(e.what(), HasSubstr("mean, max and sum only"));
          throw;
        }
      },
      Error);
}

TEST(DefaultStrategy, IsAValidSpec) {
  EXPECT_EQ(to_string(parse_strategy(default_strategy_spec())), default_strategy_spec());
}

TEST(RankImages, MostUncertainFirstWithRanksAndValues) {
  const std::vector<ScoredImage> images = {image(10, {unsure(0.2)}), image(11, {unsure(0.7)}),
                                           image(12), image(13, {unsure(0.4)})};
  const auto queue = rank_images(images, parse_strategy("least_confidence"), 1);
  EXPECT_THAT(ids(queue), ElementsAre(12, 11, 13, 10));
  for (std::size_t i = 0; i < queue.size(); ++i) EXPECT_EQ(queue[i].rank, static_cast<int>(i));
  EXPECT_NEAR(queue[0].uncertainty, 1.0, 1e-9);
  EXPECT_NEAR(queue[1].uncertainty, 0.7, 1e-6);
  EXPECT_NEAR(queue[2].uncertainty, 0.4, 1e-6);
  EXPECT_NEAR(queue[3].uncertainty, 0.2, 1e-6);
}

TEST(RankImages, UsesTheAggregation) {
  // Mean: 0.3 vs 0.4; max: 0.5 vs 0.4.
  const std::vector<ScoredImage> images = {image(1, {unsure(0.1), unsure(0.5)}),
                                           image(2, {unsure(0.4), unsure(0.4)})};
  EXPECT_THAT(ids(rank_images(images, parse_strategy("least_confidence:mean"), 1)),
              ElementsAre(2, 1));
  EXPECT_THAT(ids(rank_images(images, parse_strategy("least_confidence:max"), 1)),
              ElementsAre(1, 2));
}

TEST(RankImages, TiesFollowTheSeedNotTheInputOrder) {
  const auto images = all_tied(40);
  const Strategy strategy = parse_strategy("least_confidence");
  const auto first = ids(rank_images(images, strategy, 7));
  EXPECT_EQ(ids(rank_images(images, strategy, 7)), first);
  EXPECT_NE(ids(rank_images(images, strategy, 8)), first);
  EXPECT_NE(first, input_order(images));
  EXPECT_THAT(first, UnorderedElementsAreArray(input_order(images)));
}

TEST(RankImages, TiesStayBetweenTheirNeighbours) {
  std::vector<ScoredImage> images = all_tied(10);  // ids 1..10 score 1
  images.push_back(image(100, {unsure(0.5)}));
  images.insert(images.begin(), image(200, {unsure(0.1)}));
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto order = ids(rank_images(images, parse_strategy("margin"), seed));
    ASSERT_EQ(order.size(), 12u);
    EXPECT_EQ(order[10], 100);
    EXPECT_EQ(order[11], 200);
  }
}

TEST(RankImages, RandomIsASeedStablePermutation) {
  std::vector<ScoredImage> images;
  for (int i = 0; i < 30; ++i) images.push_back(image(i, {unsure(i / 30.0)}));
  const Strategy random = parse_strategy("random");
  const auto queue = rank_images(images, random, 3);
  const auto order = ids(queue);
  const std::vector<Id> inputs = input_order(images);
  EXPECT_THAT(order, UnorderedElementsAreArray(inputs));
  EXPECT_EQ(ids(rank_images(images, random, 3)), order);
  EXPECT_NE(ids(rank_images(images, random, 4)), order);
  // Neither input order nor uncertainty order.
  EXPECT_NE(order, inputs);
  const std::vector<Id> by_uncertainty(inputs.rbegin(), inputs.rend());
  EXPECT_NE(order, by_uncertainty);
  // Each entry still carries its image's least-confidence top-box uncertainty.
  for (const QueueEntry& e : queue) EXPECT_NEAR(e.uncertainty, e.image_id / 30.0, 1e-6);
}

TEST(RankImages, RandomCarriesLeastConfidenceEvenForAnotherMeasure) {
  Strategy random = parse_strategy("random");
  random.measure = Measure::kEntropy;
  const std::vector<ScoredImage> images = {image(1, {unsure(0.3)})};
  EXPECT_NEAR(rank_images(images, random, 0)[0].uncertainty, 0.3, 1e-6);
}

TEST(RankImages, BalancedInterleavesClassesByBestRemaining) {
  // Class 0: 0.9, 0.2; class 1: 0.6, 0.5, 0.4; no detection: 1.0.
  const std::vector<ScoredImage> images = {image(1, {unsure(0.9, 0)}), image(2, {unsure(0.2, 0)}),
                                           image(3, {unsure(0.6, 1)}), image(4, {unsure(0.5, 1)}),
                                           image(5, {unsure(0.4, 1)}), image(6)};
  const auto queue = rank_images(images, parse_strategy("least_confidence+balanced"), 1);
  // Pass 1: none (1.0), class 0 (0.9), class 1 (0.6). Pass 2: class 1 (0.5) before class 0 (0.2),
  // its best remaining is higher. Pass 3: class 1 alone.
  EXPECT_THAT(ids(queue), ElementsAre(6, 1, 3, 4, 2, 5));
  EXPECT_NEAR(queue[4].uncertainty, 0.2, 1e-6);
  for (std::size_t i = 0; i < queue.size(); ++i) EXPECT_EQ(queue[i].rank, static_cast<int>(i));
}

TEST(RankImages, BalancedGroupsByTheMostConfidentDetection) {
  // Image 1's most confident box says class 1, so it joins class 1 despite its class-0 box.
  const std::vector<ScoredImage> images = {image(1, {unsure(0.8, 0, 0.3f), unsure(0.7, 1, 0.9f)}),
                                           image(2, {unsure(0.75, 1)}), image(3, {unsure(0.1, 0)})};
  EXPECT_THAT(ids(rank_images(images, parse_strategy("least_confidence:max+balanced"), 1)),
              ElementsAre(1, 3, 2));
}

TEST(RankImages, SumRanksByRawSumAndNormalisesByTheLargest) {
  const std::vector<ScoredImage> images = {
      image(1, {unsure(0.6)}),                            // 0.6
      image(2, {unsure(0.5), unsure(0.5), unsure(0.5)}),  // 1.5
      image(3),                                           // no detection: 1
      image(4, {unsure(0.4), unsure(0.4, 0, 0.1f)})};     // the second is under 0.25: 0.4
  const auto queue = rank_images(images, parse_strategy("least_confidence:sum"), 1);
  EXPECT_THAT(ids(queue), ElementsAre(2, 3, 1, 4));
  EXPECT_NEAR(queue[0].uncertainty, 1.0, 1e-9);
  EXPECT_NEAR(queue[1].uncertainty, 1.0 / 1.5, 1e-6);
  EXPECT_NEAR(queue[2].uncertainty, 0.6 / 1.5, 1e-6);
  EXPECT_NEAR(queue[3].uncertainty, 0.4 / 1.5, 1e-6);
}

TEST(RankImages, EmptyInputGivesAnEmptyQueue) {
  EXPECT_TRUE(rank_images({}, parse_strategy("margin+balanced"), 1).empty());
  EXPECT_TRUE(rank_images({}, parse_strategy("random"), 1).empty());
}

// Uncertainty then diversity (+diverse).

// Image `id` with least-confidence uncertainty `uncertainty` and the given features.
ScoredImage featured(Id id, double uncertainty, std::vector<float> features) {
  ScoredImage s = image(id, {unsure(uncertainty)});
  s.features = std::move(features);
  return s;
}

// n images, image i (1..n) of uncertainty i / (n + 1) and seeded random features.
std::vector<ScoredImage> featured_pool(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<ScoredImage> images;
  for (int i = 1; i <= n; ++i) {
    std::vector<float> f(8);
    for (float& x : f) x = normal(rng);
    images.push_back(featured(i, static_cast<double>(i) / (n + 1), std::move(f)));
  }
  return images;
}

TEST(RankImages, DiverseTakesTheBatchFromTheTop3KThenFollowsUncertainty) {
  const auto images = featured_pool(100, 5);
  const Strategy diverse = parse_strategy("least_confidence+diverse");
  const auto queue = rank_images(images, diverse, 1, RankContext{5, {}});
  const auto order = ids(queue);
  ASSERT_EQ(order.size(), 100u);
  EXPECT_THAT(order, UnorderedElementsAreArray(input_order(images)));
  // The first 3K = 15 are the 15 most uncertain (ids 86..100), opening with the most uncertain.
  EXPECT_EQ(order[0], 100);
  const std::set<Id> head(order.begin(), order.begin() + 15);
  EXPECT_EQ(*head.begin(), 86);
  EXPECT_EQ(*head.rbegin(), 100);
  // ... reordered, not by uncertainty; the rest by uncertainty.
  const auto plain = ids(rank_images(images, parse_strategy("least_confidence"), 1));
  EXPECT_NE(std::vector<Id>(order.begin(), order.begin() + 15),
            std::vector<Id>(plain.begin(), plain.begin() + 15));
  EXPECT_EQ(std::vector<Id>(order.begin() + 15, order.end()),
            std::vector<Id>(plain.begin() + 15, plain.end()));
  // Entries keep their own uncertainties and ranks.
  for (std::size_t i = 0; i < queue.size(); ++i) {
    EXPECT_EQ(queue[i].rank, static_cast<int>(i));
    EXPECT_NEAR(queue[i].uncertainty, queue[i].image_id / 101.0, 1e-6);
  }
  // Unknown batch size: 20, so the head is the 60 most uncertain.
  const auto unknown = ids(rank_images(images, diverse, 1));
  EXPECT_EQ(*std::min_element(unknown.begin(), unknown.begin() + 60), 41);
  EXPECT_EQ(std::vector<Id>(unknown.begin() + 60, unknown.end()),
            std::vector<Id>(plain.begin() + 60, plain.end()));
}

TEST(RankImages, DiverseSpreadsTheHeadOverTheFeatures) {
  // The three most uncertain images look the same; a plain uncertainty order would spend a batch
  // of 2 on two of them. Features are normalised, so (5, 0) is the same direction as (1, 0).
  const std::vector<ScoredImage> images = {featured(1, 0.9, {1, 0}),  featured(2, 0.85, {5, 0}),
                                           featured(3, 0.8, {1, 0}),  featured(4, 0.5, {0, 1}),
                                           featured(5, 0.4, {-1, 0}), featured(6, 0.3, {0, -2}),
                                           featured(7, 0.1, {-1, 0})};
  const Strategy diverse = parse_strategy("least_confidence+diverse");
  // Opens with the most uncertain; then the opposite direction; then the two at right angles
  // (equal distance: the more uncertain first); the look-alikes last; image 7 is outside the head.
  EXPECT_THAT(ids(rank_images(images, diverse, 1, RankContext{2, {}})),
              ElementsAre(1, 5, 4, 6, 2, 3, 7));
  // With (1, 0) already labeled, the head opens with what is farthest from it instead.
  EXPECT_THAT(ids(rank_images(images, diverse, 1, RankContext{2, {{3, 0}}})),
              ElementsAre(5, 4, 6, 1, 2, 3, 7));
}

TEST(RankImages, DiverseIsSeedStable) {
  auto images = featured_pool(60, 9);
  for (int i = 0; i < 20; ++i) images[i].detections.clear();  // 20 tied at 1: the seed matters
  const Strategy diverse = parse_strategy("entropy:mean+diverse");
  const RankContext context{4, {{1, 0, 0, 0, 0, 0, 0, 0}}};
  const auto first = ids(rank_images(images, diverse, 3, context));
  EXPECT_EQ(ids(rank_images(images, diverse, 3, context)), first);
  EXPECT_THAT(first, UnorderedElementsAreArray(input_order(images)));
}

TEST(RankImages, DiverseNeedsFeatures) {
  std::vector<ScoredImage> images = featured_pool(5, 1);
  images[4].features.clear();  // the most uncertain, so inside the head
  try {
    rank_images(images, parse_strategy("margin+diverse"), 1);
    ADD_FAILURE() << "ranked without features";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("image 5 has none"));
  }
  // Covered features of another length are an error too, not a silent mismatch.
  EXPECT_THROW(rank_images(featured_pool(5, 1), parse_strategy("margin+diverse"), 1,
                           RankContext{2, {{1, 2}}}),
               Error);
  // Strategies without +diverse ignore features entirely.
  EXPECT_EQ(rank_images(images, parse_strategy("margin"), 1).size(), 5u);
}

// Two images as unsure as each other per box: under sum the crowded one leads (more unsure boxes);
// per expected second the single-box one does, as it costs a tenth as much to check.
TEST(RankImages, EffortPrefersTheImageCheaperToCorrectAtEqualUncertaintyPerBox) {
  std::vector<Detection> crowded;
  for (int i = 0; i < 10; ++i) crowded.push_back(unsure(0.4, 0, 0.6f));
  const std::vector<ScoredImage> images{image(1, crowded), image(2, {unsure(0.4, 0, 0.6f)})};
  EXPECT_THAT(ids(rank_images(images, parse_strategy("least_confidence:sum"), 1)),
              ElementsAre(1, 2));
  // Per second the two are equal under sum (10 x 0.4 / 10 x cost = 0.4 / cost) ...
  const auto by_effort = rank_images(images, parse_strategy("least_confidence:sum+effort"), 1);
  EXPECT_NEAR(by_effort[0].uncertainty, by_effort[1].uncertainty, 1e-9);
  // ... and under mean the single box is ten times cheaper for the same uncertainty.
  EXPECT_THAT(ids(rank_images(images, parse_strategy("least_confidence:mean+effort"), 1)),
              ElementsAre(2, 1));
}

TEST(RankImages, EffortPutsConfidentProposalsBeforeDoubtfulOnesAtEqualUncertainty) {
  // Same least-confidence uncertainty (class_probs), different detection scores: a proposal
  // likely to be wrong costs a redraw on top of the look.
  const std::vector<ScoredImage> images{image(1, {unsure(0.5, 0, 0.3f)}),
                                        image(2, {unsure(0.5, 0, 0.95f)})};
  const auto queue = rank_images(images, parse_strategy("least_confidence:mean+effort"), 1);
  EXPECT_THAT(ids(queue), ElementsAre(2, 1));
  EXPECT_DOUBLE_EQ(queue[0].uncertainty, 1.0);  // handed out divided by the largest
  EXPECT_LT(queue[1].uncertainty, 1.0);
  // The project's own costs change the key: with free redraws only the looks count, a tie.
  RankContext free_redraws;
  free_redraws.costs.draw = 0;
  const auto tied =
      rank_images(images, parse_strategy("least_confidence:mean+effort"), 1, free_redraws);
  EXPECT_DOUBLE_EQ(tied[0].uncertainty, tied[1].uncertainty);
}

TEST(ExpectedLabelingSeconds, LooksAtEveryShownProposalAndRedrawsTheWrongShare) {
  const CostModel costs{7.0, 1.6};
  EXPECT_DOUBLE_EQ(expected_labeling_seconds({}, 0.25f, costs), 7.0);  // one box to draw
  EXPECT_DOUBLE_EQ(expected_labeling_seconds({unsure(0.1, 0, 1.0f)}, 0.25f, costs), 1.6);
  EXPECT_NEAR(expected_labeling_seconds({unsure(0.1, 0, 0.5f), unsure(0.1, 0, 0.1f)}, 0.25f, costs),
              1.6 + 0.5 * 7.0, 1e-9);  // the 0.1 detection is below the threshold: not shown
  EXPECT_GT(expected_labeling_seconds({}, 0.25f, CostModel{0, 0, 0, 0}), 0.0);
}

}  // namespace
}  // namespace boxloop::active
