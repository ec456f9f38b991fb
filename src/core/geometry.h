#pragma once

#include "core/types.h"

namespace boxloop {

double area(const Box& box);
double intersection_area(const Box& a, const Box& b);
double iou(const Box& a, const Box& b);
// The part of `box` inside a width x height image (may have zero size).
Box clip(const Box& box, int width, int height);
// True when every coordinate is a finite number and the width and height are positive.
bool well_formed(const Box& box);
// True when the box has positive size and lies entirely inside the image.
bool inside_image(const Box& box, int width, int height);

}  // namespace boxloop
