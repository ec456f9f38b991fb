// Saving labels: one transaction with optimistic versions; events; concurrent saves.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "store_fixture.h"

namespace boxloop::testing {
namespace {

TEST_P(StoreTest, SaveLabelsRoundTrip) {
  const Image image = add_image(1);
  Annotation proposal = box("ten", 5.5, 6.25, 30, 40);
  proposal.source = BoxSource::kModel;
  proposal.score = 0.875;
  LabelSave save = save_of(image, {box("nine", 1, 2, 3, 4), proposal});
  save.comment = "two cards";
  const LabelEvent event = store().save_labels(save);

  EXPECT_GT(event.id, 0);
  EXPECT_EQ(event.image_id, image.id);
  EXPECT_EQ(event.version, 1);
  EXPECT_EQ(event.box_count, 2);
  EXPECT_EQ(event.labeler, "ann");
  EXPECT_EQ(event.comment, "two cards");
  EXPECT_EQ(event.status, ImageStatus::kLabeled);

  const auto boxes = store().annotations(image.id);
  ASSERT_EQ(boxes.size(), 2u);
  EXPECT_EQ(boxes[0].category_id, category_id("nine"));
  EXPECT_EQ(boxes[0].box, (Box{1, 2, 3, 4}));
  EXPECT_EQ(boxes[0].source, BoxSource::kHuman);
  EXPECT_FALSE(boxes[0].score);
  EXPECT_EQ(boxes[1].box, (Box{5.5, 6.25, 30, 40}));
  EXPECT_EQ(boxes[1].source, BoxSource::kModel);
  ASSERT_TRUE(boxes[1].score);
  EXPECT_DOUBLE_EQ(*boxes[1].score, 0.875);
  EXPECT_EQ(boxes[0].image_id, image.id);

  const Image after = *store().image(image.id);
  EXPECT_EQ(after.version, 1);
  EXPECT_EQ(after.status, ImageStatus::kLabeled);

  // A second save replaces the boxes, it does not add to them.
  store().save_labels(save_of(after, {box("jack", 9, 9, 9, 9)}, "bob"));
  const auto replaced = store().annotations(image.id);
  ASSERT_EQ(replaced.size(), 1u);
  EXPECT_EQ(replaced[0].category_id, category_id("jack"));
  EXPECT_EQ(store().image(image.id)->version, 2);
}

TEST_P(StoreTest, AStaleVersionIsAConflictAndLeavesTheOldBoxes) {
  const Image image = add_image(1);
  store().save_labels(save_of(image, {box("nine", 1, 1, 10, 10)}, "ann"));
  // bob opened the image at version 0 and saves after ann.
  expect_error(ErrorCode::kConflict,
               [&] { store().save_labels(save_of(image, {box("ten", 2, 2, 20, 20)}, "bob")); });
  const auto boxes = store().annotations(image.id);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_EQ(boxes[0].box, (Box{1, 1, 10, 10}));
  EXPECT_EQ(store().image(image.id)->version, 1);
  EXPECT_EQ(store().label_events(image.id).size(), 1u);
  EXPECT_TRUE(store().label_events_by("bob", 10).empty());
}

TEST_P(StoreTest, AnInvalidBoxInTheMiddleRollsBackTheWholeSave) {
  const Image image = add_image(1);
  const LabelEvent first = store().save_labels(save_of(image, {box("nine", 1, 1, 10, 10)}));
  const Image current = *store().image(image.id);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Annotation> bad_boxes[] = {
      {box("ten", 0, 0, 5, 5), box("ten", 0, 0, 0, 5), box("ten", 0, 0, 5, 5)},  // zero width
      {box("ten", 0, 0, 5, 5), box("ten", 0, 0, 5, -1)},                         // negative
      {box("ten", 0, 0, 5, 5), box("ten", nan, 0, 5, 5)},                        // NaN
      {box("ten", 0, 0, 5, 5), box("ten", 0, 0, INFINITY, 5)},                   // infinite
      {box("ten", 0, 0, 5, 5), annotation_of(9999, Box{0, 0, 5, 5}), box("ten", 1, 1, 1, 1)},
  };
  for (const auto& boxes : bad_boxes) {
    expect_error(ErrorCode::kInvalidArgument,
                 [&] { store().save_labels(save_of(current, boxes, "bob")); });
  }
  const auto boxes = store().annotations(image.id);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_EQ(boxes[0].box, (Box{1, 1, 10, 10}));
  EXPECT_EQ(store().image(image.id)->version, current.version);
  EXPECT_EQ(store().last_label_event_id(), first.id);
}

TEST_P(StoreTest, SaveRejectsUnknownImagesAndUnlabeledStatus) {
  const Image image = add_image(1);
  Image ghost = image;
  ghost.id = 4242;
  expect_error(ErrorCode::kNotFound, [&] { store().save_labels(save_of(ghost, {})); });
  LabelSave unlabel = save_of(image, {});
  unlabel.status = ImageStatus::kUnlabeled;
  expect_error(ErrorCode::kInvalidArgument, [&] { store().save_labels(unlabel); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().save_labels(save_of(image, {}, "")); });
  EXPECT_EQ(store().last_label_event_id(), 0);
}

TEST_P(StoreTest, LabelEventsAreKeptInOrderAndCounted) {
  const Image a = add_image(1), b = add_image(2);
  const LabelEvent e1 = store().save_labels(save_of(a, {box("nine", 1, 1, 1, 1)}, "ann"));
  const LabelEvent e2 = store().save_labels(save_of(b, {}, "bob"));
  const LabelEvent e3 =
      store().save_labels(save_of(*store().image(a.id), {box("ten", 1, 1, 1, 1)}, "ann"));

  const auto events_a = store().label_events(a.id);
  ASSERT_EQ(events_a.size(), 2u);
  EXPECT_EQ(events_a[0].id, e1.id);
  EXPECT_EQ(events_a[0].version, 1);
  EXPECT_EQ(events_a[1].id, e3.id);
  EXPECT_EQ(events_a[1].version, 2);

  const auto by_ann = store().label_events_by("ann", 10);
  ASSERT_EQ(by_ann.size(), 2u);
  EXPECT_EQ(by_ann[0].id, e3.id);  // newest first
  EXPECT_EQ(store().label_events_by("ann", 1).size(), 1u);
  EXPECT_EQ(store().label_events_by("bob", 10)[0].box_count, 0);

  EXPECT_EQ(store().last_label_event_id(), e3.id);
  EXPECT_EQ(store().count_label_events_after(0), 3);
  EXPECT_EQ(store().count_label_events_after(e1.id), 2);
  EXPECT_EQ(store().count_label_events_after(e2.id), 1);
  EXPECT_EQ(store().count_label_events_after(e3.id), 0);
}

TEST_P(StoreTest, LabeledImagesCarryTheirBoxes) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  store().save_labels(save_of(c, {box("nine", 1, 1, 1, 1), box("ten", 2, 2, 2, 2)}));
  store().save_labels(save_of(a, {}));  // labeled as empty: a valid negative example
  LabelSave skipped = save_of(b, {box("jack", 1, 1, 1, 1)});
  skipped.status = ImageStatus::kSkipped;
  store().save_labels(skipped);

  const auto labeled = store().labeled_images();
  ASSERT_EQ(labeled.size(), 2u);
  EXPECT_EQ(labeled[0].image.id, a.id);  // import order
  EXPECT_TRUE(labeled[0].boxes.empty());
  EXPECT_EQ(labeled[1].image.id, c.id);
  ASSERT_EQ(labeled[1].boxes.size(), 2u);
  EXPECT_EQ(labeled[1].boxes[1].box, (Box{2, 2, 2, 2}));
}

// Two labelers who opened the same version save at once: exactly one wins, the other conflicts,
// and the stored boxes are the winner's. Run over one Store from threads and over two Stores (two
// connections, as the server and a CLI process would hold).
void race_two_saves(Store& first, Store& second, Id image_id, Id category) {
  std::atomic<int> ready{0};
  std::atomic<int> wins{0}, conflicts{0};
  std::atomic<int> winner_width{0};
  auto save = [&](Store& store, int width, const char* who) {
    LabelSave s;
    s.image_id = image_id;
    s.expected_version = 0;  // both opened the fresh image
    s.labeler = who;
    s.boxes = {annotation_of(category, Box{0, 0, static_cast<double>(width), 10})};
    ++ready;
    while (ready < 2) std::this_thread::yield();
    try {
      store.save_labels(s);
      ++wins;
      winner_width = width;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kConflict) << e.what();
      ++conflicts;
    }
  };
  std::thread a(save, std::ref(first), 11, "ann");
  std::thread b(save, std::ref(second), 22, "bob");
  a.join();
  b.join();
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(conflicts, 1);
  const auto boxes = first.annotations(image_id);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_EQ(boxes[0].box.w, winner_width);
}

TEST_P(StoreTest, ConcurrentSavesOfOneVersionHaveExactlyOneWinner) {
  for (int round = 0; round < 10; ++round) {
    const Image image = add_image(round);
    race_two_saves(store(), store(), image.id, category_id("nine"));
    EXPECT_EQ(store().image(image.id)->version, 1);
    EXPECT_EQ(store().label_events(image.id).size(), 1u);
  }
}

TEST_P(StoreTest, ConcurrentSavesFromTwoConnectionsHaveExactlyOneWinner) {
  auto other = Store::open(project_dir(), store_options());
  for (int round = 0; round < 10; ++round) {
    const Image image = add_image(round);
    race_two_saves(store(), *other, image.id, category_id("nine"));
    EXPECT_EQ(other->image(image.id)->version, 1);
    EXPECT_EQ(other->label_events(image.id).size(), 1u);
  }
}

TEST_P(StoreTest, ManyThreadsSavingDifferentImagesLoseNothing) {
  constexpr int kThreads = 4, kImagesEach = 15;
  for (int i = 0; i < kThreads * kImagesEach; ++i) add_image(i);
  const auto images = store().images();
  const Id nine = category_id("nine");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread its own connection half the time, to mix in-process and cross-process locking.
      std::unique_ptr<Store> own = t % 2 ? Store::open(project_dir(), store_options()) : nullptr;
      Store& s = own ? *own : store();
      for (int i = 0; i < kImagesEach; ++i) {
        const Image& image = images[static_cast<std::size_t>(t * kImagesEach + i)];
        LabelSave save;
        save.image_id = image.id;
        save.labeler = "worker" + std::to_string(t);
        save.boxes = {annotation_of(nine, Box{0, 0, 1.0 + i, 1})};
        try {
          s.save_labels(save);
        } catch (const Error& e) {
          ADD_FAILURE() << "thread " << t << ": " << e.what();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store().count_label_events_after(0), kThreads * kImagesEach);
  EXPECT_EQ(store().image_counts().labeled, kThreads * kImagesEach);
}

TEST_P(StoreTest, ABatchCommitsTogetherAndAFailedCallUndoesOnlyItself) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  store().batch([&] {
    store().save_labels(save_of(a, {box("nine", 1, 1, 1, 1)}));
    // A caught failure inside the batch (an import reporting one bad file) keeps the rest.
    EXPECT_THROW(store().save_labels(save_of(b, {box("nine", 1, 1, 1, 1), box("ten", 1, 1, 0, 1)})),
                 Error);
    store().save_labels(save_of(c, {box("ten", 2, 2, 2, 2)}));
  });
  EXPECT_EQ(store().image(a.id)->status, ImageStatus::kLabeled);
  EXPECT_EQ(store().image(b.id)->status, ImageStatus::kUnlabeled);
  EXPECT_TRUE(store().annotations(b.id).empty());
  EXPECT_EQ(store().annotations(c.id).size(), 1u);
  EXPECT_EQ(Store::open(project_dir(), store_options())->count_label_events_after(0),
            2);  // committed

  // An exception out of the batch undoes all of it.
  EXPECT_THROW(store().batch([&] {
    store().add_image("x.jpg", "sha_x", 10, 10);
    store().save_labels(save_of(*store().image(a.id), {}));
    throw std::runtime_error("disk full while copying");
  }),
               std::runtime_error);
  EXPECT_FALSE(store().image_by_path("x.jpg"));
  EXPECT_EQ(store().annotations(a.id).size(), 1u);
  EXPECT_EQ(store().count_label_events_after(0), 2);
}

TEST_P(StoreTest, APartialLabelKeepsItsRegionsUntilAWholeSave) {
  const Image image = add_image(1, 640, 480);
  LabelSave partial = save_of(image, {box("nine", 100, 100, 50, 60)});
  // The second region reaches past the right edge: it is kept clipped to the image.
  partial.regions = {Box{80, 90, 100, 100}, Box{600, 10, 100, 50}};
  store().save_labels(partial);

  auto labeled = store().labeled_images();
  ASSERT_EQ(labeled.size(), 1u);
  EXPECT_EQ(labeled[0].boxes.size(), 1u);
  EXPECT_EQ(labeled[0].regions, (std::vector<Box>{Box{80, 90, 100, 100}, Box{600, 10, 40, 50}}));

  // A save without regions labels the whole image: the earlier regions no longer hold.
  store().save_labels(save_of(*store().image(image.id), {box("ten", 1, 1, 9, 9)}, "bob"));
  labeled = store().labeled_images();
  ASSERT_EQ(labeled.size(), 1u);
  EXPECT_TRUE(labeled[0].regions.empty());
}

TEST_P(StoreTest, ABadRegionIsRefusedAndTheOldLabelsStay) {
  const Image image = add_image(1, 640, 480);
  store().save_labels(save_of(image, {box("nine", 1, 1, 10, 10)}));
  const Image saved = *store().image(image.id);
  for (const Box& bad : {Box{700, 10, 20, 20}, Box{10, 10, 0, 20},
                         Box{std::numeric_limits<double>::quiet_NaN(), 1, 2, 3}}) {
    LabelSave save = save_of(saved, {box("ten", 2, 2, 20, 20)}, "bob");
    save.regions = {Box{0, 0, 50, 50}, bad};
    expect_error(ErrorCode::kInvalidArgument, [&] { store().save_labels(save); });
  }
  const auto boxes = store().annotations(image.id);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_EQ(boxes[0].category_id, category_id("nine"));
  EXPECT_TRUE(store().labeled_images()[0].regions.empty());
  EXPECT_EQ(store().image(image.id)->version, saved.version);
}

}  // namespace
}  // namespace boxloop::testing
