// Box-level queries: which regions of an image are asked about, and what a labeler who knows
// every box labels inside them.
#include "loop/state/box_query.h"

#include <gtest/gtest.h>

namespace boxloop::loop {
namespace {

Proposal proposal(Box box, double score) {
  Proposal p;
  p.box = box;
  p.score = score;
  return p;
}

Image image_of(int width, int height) {
  Image image;
  image.width = width;
  image.height = height;
  return image;
}

TEST(BoxQuery, AsksAboutUnsureDetectionsWithContextAndPassesSettledOnesOver) {
  // Threshold 0.4: below 0.2 is noise, 0.2 .. 0.7 unsure, 0.7 and up settled.
  const Image image = image_of(200, 100);
  const BoxQuery query = box_query(image,
                                   {proposal(Box{10, 10, 20, 20}, 0.9),   // settled
                                    proposal(Box{100, 40, 40, 20}, 0.5),  // unsure
                                    proposal(Box{180, 90, 40, 20}, 0.2),  // unsure, at the edge
                                    proposal(Box{50, 50, 10, 10}, 0.1)},  // noise
                                   0.4);
  EXPECT_TRUE(query.ask);
  // Grown by a quarter of its size on each side; the one at the corner clipped to the image.
  EXPECT_EQ(query.regions, (std::vector<Box>{Box{90, 35, 60, 30}, Box{170, 85, 30, 15}}));
  ASSERT_EQ(query.settled.size(), 1u);
  EXPECT_EQ(query.settled[0].box, (Box{10, 10, 20, 20}));
  EXPECT_EQ(with_context(Box{10, 10, 20, 20}, image), (Box{5, 5, 30, 30}));

  // Settled at the threshold: the 0.5 detection is settled too; only the 0.2 one is asked about.
  const BoxQuery barely =
      box_query(image,
                {proposal(Box{10, 10, 20, 20}, 0.9), proposal(Box{100, 40, 40, 20}, 0.5),
                 proposal(Box{180, 90, 40, 20}, 0.2)},
                0.4, /*settled_at_threshold=*/true);
  EXPECT_EQ(barely.regions, (std::vector<Box>{Box{170, 85, 30, 15}}));
  EXPECT_EQ(barely.settled.size(), 2u);
}

TEST(BoxQuery, OnlySettledDetectionsAskNothingAndNoneAsksTheWholeImage) {
  const Image image = image_of(200, 100);
  const BoxQuery settled = box_query(image, {proposal(Box{10, 10, 20, 20}, 0.95)}, 0.4);
  EXPECT_FALSE(settled.ask);
  // Nothing but noise: the model sees nothing here, so the whole image is asked about.
  for (const auto& stored :
       {std::vector<Proposal>{}, std::vector<Proposal>{proposal(Box{1, 1, 5, 5}, 0.1)}}) {
    const BoxQuery whole = box_query(image, stored, 0.4);
    EXPECT_TRUE(whole.ask);
    EXPECT_TRUE(whole.regions.empty());
  }
}

TEST(LabelInside, TakesTheBoxesCentredInARegionAndGrowsItToCoverThem) {
  const std::vector<Box> truths{Box{0, 0, 10, 10}, Box{40, 40, 30, 30}, Box{100, 100, 10, 10}};
  // Box 1's centre (55, 55) is in the region, its corner (70, 70) outside; box 0's centre is not.
  const PartialLabel label = label_inside(truths, {Box{8, 8, 52, 52}});
  EXPECT_EQ(label.taken, (std::vector<std::size_t>{1}));
  EXPECT_EQ(label.regions, (std::vector<Box>{Box{8, 8, 62, 62}}));
  EXPECT_TRUE(label_inside(truths, {Box{200, 200, 5, 5}}).taken.empty());
}

}  // namespace
}  // namespace boxloop::loop
