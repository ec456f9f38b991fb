// The decode cache (train/decode_cache.h) gives training the same pixels, boxes and batches as
// decoding afresh, and stays within its byte limit.
#include "train/decode_cache.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "common/synth_project.h"
#include "train/dataset.h"

namespace boxloop {
namespace {

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

void expect_same_samples(const std::vector<Sample>& fresh, const std::vector<Sample>& cached) {
  ASSERT_EQ(fresh.size(), cached.size());
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_EQ(fresh[i].image_id, cached[i].image_id);
    EXPECT_TRUE(same_pixels(fresh[i].bgr, cached[i].bgr)) << "image " << fresh[i].image_id;
    EXPECT_DOUBLE_EQ(fresh[i].scale_x, cached[i].scale_x);
    EXPECT_DOUBLE_EQ(fresh[i].scale_y, cached[i].scale_y);
    EXPECT_EQ(fresh[i].labels, cached[i].labels);
    ASSERT_EQ(fresh[i].boxes.size(), cached[i].boxes.size());
    for (std::size_t b = 0; b < fresh[i].boxes.size(); ++b) {
      EXPECT_DOUBLE_EQ(fresh[i].boxes[b].x, cached[i].boxes[b].x);
      EXPECT_DOUBLE_EQ(fresh[i].boxes[b].y, cached[i].boxes[b].y);
      EXPECT_DOUBLE_EQ(fresh[i].boxes[b].w, cached[i].boxes[b].w);
      EXPECT_DOUBLE_EQ(fresh[i].boxes[b].h, cached[i].boxes[b].h);
    }
  }
}

// The same augmented batch (same rng stream) from both sample sets: the cache changes nothing
// augmentation sees, and each draw still gets its own crop and flip.
void expect_same_batches(const std::vector<Sample>& fresh, const std::vector<Sample>& cached) {
  std::vector<std::size_t> all(fresh.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  const AugmentOptions augment;
  std::mt19937_64 rng_a(5), rng_b(5);
  for (int step = 0; step < 3; ++step) {
    const Batch a = make_batch(fresh, all, 96, &augment, rng_a);
    const Batch b = make_batch(cached, all, 96, &augment, rng_b);
    EXPECT_TRUE(torch::equal(a.images, b.images)) << "step " << step;
    ASSERT_EQ(a.targets.size(), b.targets.size());
    for (std::size_t i = 0; i < a.targets.size(); ++i) {
      EXPECT_EQ(a.targets[i].labels, b.targets[i].labels);
      ASSERT_EQ(a.targets[i].boxes.size(), b.targets[i].boxes.size());
      for (std::size_t k = 0; k < a.targets[i].boxes.size(); ++k) {
        EXPECT_DOUBLE_EQ(a.targets[i].boxes[k].x, b.targets[i].boxes[k].x);
        EXPECT_DOUBLE_EQ(a.targets[i].boxes[k].w, b.targets[i].boxes[k].w);
      }
    }
  }
}

TEST(DecodeCache, GivesTheSameSamplesAndBatchesAsDecodingAfresh) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", testing::kTwoCategories, 4, 1);
  const std::vector<Sample> fresh = load_samples(*store, 160);

  DecodeCache cache(std::size_t{64} << 20);
  const std::vector<Sample> first =
      load_samples(*store, 160, LabeledSubset::kAll, nullptr, nullptr, &cache);
  EXPECT_EQ(cache.misses(), 4u);
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.size(), 4u);
  const std::vector<Sample> second =
      load_samples(*store, 160, LabeledSubset::kAll, nullptr, nullptr, &cache);
  EXPECT_EQ(cache.hits(), 4u) << "a second run decodes nothing";
  expect_same_samples(fresh, first);
  expect_same_samples(fresh, second);
  expect_same_batches(fresh, second);

  // Another keep size is another entry, not the pixels of the first.
  const std::vector<Sample> smaller =
      load_samples(*store, 96, LabeledSubset::kAll, nullptr, nullptr, &cache);
  expect_same_samples(load_samples(*store, 96), smaller);
  EXPECT_EQ(cache.size(), 8u);
}

TEST(DecodeCache, BoxesFollowTheLabelsOfNowNotOfTheCachedRun) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", testing::kTwoCategories, 2);
  DecodeCache cache(std::size_t{64} << 20);
  load_samples(*store, 160, LabeledSubset::kAll, nullptr, nullptr, &cache);
  // Relabel one image with a single box of the second category.
  const Image image = store->labeled_images().front().image;
  const Id king = store->categories()[1].id;
  LabelSave save;
  save.image_id = image.id;
  save.expected_version = image.version;
  save.labeler = "test";
  Annotation box;
  box.category_id = king;
  box.box = Box{10, 20, 30, 40};
  save.boxes = {box};
  store->save_labels(save);
  const std::vector<Sample> fresh = load_samples(*store, 160);
  const std::vector<Sample> cached =
      load_samples(*store, 160, LabeledSubset::kAll, nullptr, nullptr, &cache);
  EXPECT_EQ(cache.hits(), 2u);
  expect_same_samples(fresh, cached);
}

TEST(DecodeCache, KeepsWithinItsByteLimitAndDecodesTheRest) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", testing::kTwoCategories, 4);
  const std::vector<Sample> fresh = load_samples(*store, 160);
  const std::size_t one = fresh[0].bgr.total() * fresh[0].bgr.elemSize();
  DecodeCache cache(one * 2 + one / 2);  // room for two of the four
  for (int run = 0; run < 2; ++run) {
    expect_same_samples(fresh,
                        load_samples(*store, 160, LabeledSubset::kAll, nullptr, nullptr, &cache));
  }
  EXPECT_LE(cache.bytes(), one * 2 + one / 2);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.hits(), 2u) << "the first images that fit are kept, not evicted by the rest";

  DecodeCache none(0);
  expect_same_samples(fresh,
                      load_samples(*store, 160, LabeledSubset::kAll, nullptr, nullptr, &none));
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.bytes(), 0u);
}

}  // namespace
}  // namespace boxloop
