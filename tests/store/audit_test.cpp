// The audit set (Store::next_image): a share of the images served is drawn uniformly at random,
// whatever the queue says, and an image's membership never changes as images come and go.
#include <gtest/gtest.h>

#include <set>

#include "store_fixture.h"

namespace boxloop::testing {
namespace {

std::vector<Id> audit_ids(Store& store) {
  std::vector<Id> ids;
  for (const Image& image : store.images()) {
    if (image.audit) ids.push_back(image.id);
  }
  return ids;
}

TEST_P(StoreTest, AuditImagesAreTheConfiguredShareOfTheImagesServed) {
  store().batch([&] {
    for (int i = 0; i < 120; ++i) add_image(i);
  });
  store().update_settings(Json{{"audit_fraction", 0.1}});
  store().seed_audit_draws(5);
  int audits = 0;
  for (int served = 1; served <= 100; ++served) {
    const auto image = store().next_image("ann", 60);
    ASSERT_TRUE(image);
    audits += image->audit ? 1 : 0;
    store().save_labels(save_of(*image, {box("nine", 1, 1, 5, 5)}));
    // Every tenth image served is an audit image: never more than the share, never behind.
    EXPECT_EQ(audits, served / 10) << "after " << served << " images";
  }
  EXPECT_EQ(audits, 10);
  EXPECT_EQ(audit_ids(store()).size(), 10u);
  // The image JSON labelers see does not say which images are audit images.
  EXPECT_FALSE(Json(*store().image(audit_ids(store())[0])).contains("audit"));
}

TEST_P(StoreTest, AuditDrawsAreUniformOverTheFreeImagesWhateverTheQueue) {
  constexpr int kImages = 3000;
  store().batch([&] {
    for (int i = 0; i < kImages; ++i) add_image(i);
  });
  // A queue that asks for the lowest ids first: normal turns take ids from the bottom, so any
  // pull of the draws towards the queue's head would show up as too many low ids.
  std::vector<QueueEntry> queue;
  for (const Image& image : store().images()) {
    queue.push_back({image.id, 1.0 - static_cast<double>(queue.size()) / kImages, 0});
  }
  store().replace_queue(std::nullopt, "least_confidence", queue);
  store().update_settings(Json{{"audit_fraction", 0.1}});
  store().seed_audit_draws(11);
  std::vector<Id> drawn;
  store().batch([&] {
    for (int i = 0; i < 1000; ++i) {
      const auto image = store().next_image("labeler" + std::to_string(i), 600);
      ASSERT_TRUE(image);
      if (image->audit) drawn.push_back(image->id);
    }
  });
  ASSERT_EQ(drawn.size(), 100u);
  // Chi-square over four bins of the ids the queue never reached (1001..3000): the normal turns
  // took at most the first 900, so each bin should hold a quarter of the draws made there.
  const Id first = store().images().front().id;
  std::vector<int> bins(4, 0);
  int counted = 0;
  for (Id id : drawn) {
    const Id offset = id - first;
    if (offset < 1000) continue;
    ++bins[static_cast<std::size_t>((offset - 1000) / 500)];
    ++counted;
  }
  EXPECT_GT(counted, 50) << "most draws come from the two thirds the queue never reached";
  const double expected = counted / 4.0;
  double chi2 = 0;
  for (int b : bins) chi2 += (b - expected) * (b - expected) / expected;
  EXPECT_LT(chi2, 16.27) << "chi-square, 3 degrees of freedom, p = 0.001";
}

TEST_P(StoreTest, AddingImagesNeverMovesAnImageInOrOutOfTheAuditSet) {
  for (int i = 0; i < 60; ++i) add_image(i);
  store().update_settings(Json{{"audit_fraction", 0.2}});
  store().seed_audit_draws(3);
  for (int i = 0; i < 30; ++i) {
    const auto image = store().next_image("ann", 60);
    ASSERT_TRUE(image);
    store().save_labels(save_of(*image, {}));
  }
  const std::vector<Id> before = audit_ids(store());
  ASSERT_FALSE(before.empty());
  for (int i = 60; i < 200; ++i) add_image(i);
  EXPECT_EQ(audit_ids(store()), before);
  store().update_settings(Json{{"audit_fraction", 0.0}});
  EXPECT_EQ(audit_ids(store()), before) << "turning draws off keeps the set that exists";
  EXPECT_FALSE(store().next_image("ann", 60)->audit);
}

TEST_P(StoreTest, AnUnlabeledAuditImageIsServedAgainBeforeANewDraw) {
  for (int i = 0; i < 40; ++i) add_image(i);
  store().update_settings(Json{{"audit_fraction", 0.5}});
  store().seed_audit_draws(1);
  auto first = store().next_image("ann", 60);
  store().save_labels(save_of(*first, {}));
  const auto audit = store().next_image("ann", 60);
  ASSERT_TRUE(audit && audit->audit);
  store().release_leases("ann");  // dropped without a save (the lease ran out)
  const auto again = store().next_image("bob", 60);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, audit->id);
  EXPECT_EQ(audit_ids(store()).size(), 1u);
}

}  // namespace
}  // namespace boxloop::testing
