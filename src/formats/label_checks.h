// Checks shared by every reader, so each format reports the same problems in the same words.
// They throw boxloop::Error(kInvalidArgument) with a message naming the box or the file.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace boxloop {

// The image's own fields: a safe relative file name and a positive size.
void check_image_fields(const ImageLabels& labels);
// One box: known category (when `known` is not empty), positive size, inside the image.
void check_box(const NamedBox& box, int width, int height, const std::vector<std::string>& known);
void check_labels(const ImageLabels& labels, const std::vector<std::string>& known);

// The shortest text that reads back as the same double ("12", "0.25", "1e-07").
std::string number_text(double value);
// Parses a whole string as a double; throws kInvalidArgument naming `what` otherwise.
double parse_number(const std::string& text, const std::string& what);

}  // namespace boxloop
