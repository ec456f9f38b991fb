// Checks shared by every reader, so each format reports the same problems in the same words.
// They throw boxloop::Error(kInvalidArgument) with a message naming the box or the file.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace boxloop {

// The smallest width and height a stored box may have, in pixels of its image: anything thinner is
// a slip of the mouse or a number meant to break something (a box 1e-320 wide). The API (after
// clipping a box to its image) and every label file reader hold boxes to it through
// check_box_size; the page's copy is MIN_BOX_IMAGE_PX in web/src/geometry.ts.
inline constexpr double kMinBoxPixels = 1;

// Throws kInvalidArgument, naming the box as `what`, when `box` is narrower or lower than
// kMinBoxPixels. Round-off of a file's corners or fractions (1001.3 - 1000.3) passes.
void check_box_size(const Box& box, const std::string& what);

// The image's own fields: a safe relative file name and a positive size.
void check_image_fields(const ImageLabels& labels);
// One box: known category (when `known` is not empty), positive size, inside the image, at least
// kMinBoxPixels wide and high.
void check_box(const NamedBox& box, int width, int height, const std::vector<std::string>& known);
void check_labels(const ImageLabels& labels, const std::vector<std::string>& known);

// The shortest text that reads back as the same double ("12", "0.25", "1e-07").
std::string number_text(double value);
// Parses a whole string as a double; throws kInvalidArgument naming `what` otherwise.
double parse_number(const std::string& text, const std::string& what);

}  // namespace boxloop
