#include "core/geometry.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"
#include "core/json.h"

namespace boxloop {
namespace {

TEST(Geometry, IouOfIdenticalDisjointAndHalfOverlappingBoxes) {
  const Box a{0, 0, 10, 10};
  EXPECT_DOUBLE_EQ(iou(a, a), 1.0);
  EXPECT_DOUBLE_EQ(iou(a, Box{20, 20, 5, 5}), 0.0);
  // Overlap 5x10 = 50, union 150.
  EXPECT_DOUBLE_EQ(iou(a, Box{5, 0, 10, 10}), 50.0 / 150.0);
}

TEST(Geometry, ClipKeepsOnlyThePartInsideTheImage) {
  EXPECT_EQ(clip(Box{-5, -5, 20, 10}, 10, 8), (Box{0, 0, 10, 5}));
  EXPECT_EQ(clip(Box{50, 50, 5, 5}, 10, 10).w, 0.0);
  EXPECT_TRUE(inside_image(Box{0, 0, 10, 10}, 10, 10));
  EXPECT_FALSE(inside_image(Box{1, 1, 10, 10}, 10, 10));
  EXPECT_FALSE(inside_image(Box{1, 1, 0, 3}, 10, 10));
}

TEST(Json, BoxRoundTripsAndRejectsMissingFields) {
  const Box box{1.5, 2, 3, 4};
  EXPECT_EQ(Json(box).get<Box>(), box);
  EXPECT_THROW(Json::parse(R"({"x":1,"y":2,"w":3})").get<Box>(), Error);
  EXPECT_THROW(Json::parse(R"({"x":"1","y":2,"w":3,"h":4})").get<Box>(), Error);
}

TEST(Geometry, WellFormedMeansFiniteWithAPositiveSize) {
  EXPECT_TRUE(well_formed(Box{-5, 0, 1, 2}));
  EXPECT_FALSE(well_formed(Box{0, 0, 0, 2}));
  EXPECT_FALSE(well_formed(Box{0, 0, 3, -1}));
  EXPECT_FALSE(well_formed(Box{std::numeric_limits<double>::quiet_NaN(), 0, 3, 3}));
  EXPECT_FALSE(well_formed(Box{0, 0, std::numeric_limits<double>::infinity(), 3}));
}

}  // namespace
}  // namespace boxloop
