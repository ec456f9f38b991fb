// Textured backgrounds for synthetic images, so a detector cannot find cards by "anything not
// flat": gradients, stripes, blotches and noise, mixed per image.
#pragma once

#include <opencv2/core.hpp>
#include <random>

namespace boxloop {

cv::Mat draw_background(int width, int height, std::mt19937_64& rng);

}  // namespace boxloop
