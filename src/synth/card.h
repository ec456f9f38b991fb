// One synthetic card: a white rounded rectangle with its rank in two corners and large in the
// centre, plus a suit-like mark, drawn upright on its own canvas with an alpha mask.
#pragma once

#include <opencv2/core.hpp>
#include <random>
#include <string>

namespace boxloop {

struct CardPicture {
  cv::Mat bgr;   // card_height x card_width
  cv::Mat mask;  // 255 on the card, 0 outside its rounded corners
};

// `rank_index` picks the glyph: 0..5 = "9","10","J","Q","K","A" (wraps for more categories).
CardPicture draw_card(int rank_index, int card_width, int card_height, std::mt19937_64& rng);

}  // namespace boxloop
