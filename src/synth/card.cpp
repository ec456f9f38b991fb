#include "synth/card.h"

#include <array>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace boxloop {

namespace {

constexpr std::array<const char*, 6> kGlyphs = {"9", "10", "J", "Q", "K", "A"};

void fill_rounded_rect(cv::Mat& image, const cv::Rect& rect, int radius, const cv::Scalar& colour) {
  cv::rectangle(image, cv::Rect(rect.x + radius, rect.y, rect.width - 2 * radius, rect.height),
                colour, cv::FILLED);
  cv::rectangle(image, cv::Rect(rect.x, rect.y + radius, rect.width, rect.height - 2 * radius),
                colour, cv::FILLED);
  for (const cv::Point corner :
       {cv::Point(rect.x + radius, rect.y + radius),
        cv::Point(rect.x + rect.width - 1 - radius, rect.y + radius),
        cv::Point(rect.x + radius, rect.y + rect.height - 1 - radius),
        cv::Point(rect.x + rect.width - 1 - radius, rect.y + rect.height - 1 - radius)}) {
    cv::circle(image, corner, radius, colour, cv::FILLED, cv::LINE_8);
  }
}

// Draws `text` with its box's top-left at `origin`, scaled so its height is `height` pixels.
void draw_glyph(cv::Mat& image, const std::string& text, cv::Point origin, int height,
                const cv::Scalar& colour, int font) {
  int baseline = 0;
  const cv::Size unit = cv::getTextSize(text, font, 1.0, 2, &baseline);
  const double scale = static_cast<double>(height) / unit.height;
  const int thickness = std::max(1, static_cast<int>(scale * 2));
  cv::putText(image, text, cv::Point(origin.x, origin.y + height), font, scale, colour, thickness,
              cv::LINE_AA);
}

cv::Size glyph_size(const std::string& text, int height, int font) {
  int baseline = 0;
  const cv::Size unit = cv::getTextSize(text, font, 1.0, 2, &baseline);
  const double scale = static_cast<double>(height) / unit.height;
  return cv::Size(static_cast<int>(unit.width * scale), height);
}

void draw_suit(cv::Mat& image, int suit, cv::Point centre, int size, const cv::Scalar& colour) {
  const int r = std::max(2, size / 2);
  switch (suit) {
    case 0:  // diamond
      cv::fillConvexPoly(image,
                         std::vector<cv::Point>{{centre.x, centre.y - r},
                                                {centre.x + r * 3 / 4, centre.y},
                                                {centre.x, centre.y + r},
                                                {centre.x - r * 3 / 4, centre.y}},
                         colour, cv::LINE_AA);
      break;
    case 1:  // heart-ish: two circles and a triangle
      cv::circle(image, {centre.x - r / 2, centre.y - r / 4}, r / 2, colour, cv::FILLED,
                 cv::LINE_AA);
      cv::circle(image, {centre.x + r / 2, centre.y - r / 4}, r / 2, colour, cv::FILLED,
                 cv::LINE_AA);
      cv::fillConvexPoly(image,
                         std::vector<cv::Point>{{centre.x - r, centre.y - r / 8},
                                                {centre.x + r, centre.y - r / 8},
                                                {centre.x, centre.y + r}},
                         colour, cv::LINE_AA);
      break;
    case 2:  // club-ish: three circles and a stem
      cv::circle(image, {centre.x, centre.y - r / 2}, r / 2, colour, cv::FILLED, cv::LINE_AA);
      cv::circle(image, {centre.x - r / 2, centre.y + r / 6}, r / 2, colour, cv::FILLED,
                 cv::LINE_AA);
      cv::circle(image, {centre.x + r / 2, centre.y + r / 6}, r / 2, colour, cv::FILLED,
                 cv::LINE_AA);
      cv::line(image, centre, {centre.x, centre.y + r}, colour, std::max(1, r / 4));
      break;
    default:  // spade-ish: a triangle on a circle pair
      cv::fillConvexPoly(image,
                         std::vector<cv::Point>{{centre.x, centre.y - r},
                                                {centre.x + r, centre.y + r / 3},
                                                {centre.x - r, centre.y + r / 3}},
                         colour, cv::LINE_AA);
      cv::line(image, centre, {centre.x, centre.y + r}, colour, std::max(1, r / 4));
      break;
  }
}

}  // namespace

CardPicture draw_card(int rank_index, int card_width, int card_height, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> paper(225, 255);
  std::uniform_int_distribution<int> suit_pick(0, 3);
  const int suit = suit_pick(rng);
  const bool red = suit < 2;
  const cv::Scalar ink = red ? cv::Scalar(30, 30, 200) : cv::Scalar(25, 25, 25);
  const std::string glyph = kGlyphs[static_cast<std::size_t>(rank_index) % kGlyphs.size()];
  const int font = cv::FONT_HERSHEY_DUPLEX;

  CardPicture card;
  card.bgr = cv::Mat(card_height, card_width, CV_8UC3, cv::Scalar::all(0));
  card.mask = cv::Mat(card_height, card_width, CV_8UC1, cv::Scalar(0));
  const cv::Rect whole(0, 0, card_width, card_height);
  const int radius = std::max(2, card_width / 12);
  const int white = paper(rng);
  fill_rounded_rect(card.bgr, whole, radius, cv::Scalar(white - 8, white - 3, white));
  fill_rounded_rect(card.mask, whole, radius, cv::Scalar(255));

  // Corner index: rank and a small suit mark below it, top-left and (upside down) bottom-right.
  const int corner_height = std::max(6, card_height / 9);
  const int margin = std::max(2, card_width / 14);
  cv::Mat corner = card.bgr.clone();
  draw_glyph(corner, glyph, {margin, margin}, corner_height, ink, font);
  draw_suit(corner, suit, {margin + corner_height / 2, margin + corner_height * 2}, corner_height,
            ink);
  // The bottom-right index is the top-left one turned half round, as on a real card.
  cv::Mat turned;
  cv::rotate(corner, turned, cv::ROTATE_180);
  cv::Mat top_left_region = corner(cv::Rect(0, 0, card_width / 2, card_height / 2));
  cv::Mat bottom_right = turned(cv::Rect(
      card_width / 2, card_height / 2, card_width - card_width / 2, card_height - card_height / 2));
  top_left_region.copyTo(card.bgr(cv::Rect(0, 0, card_width / 2, card_height / 2)));
  bottom_right.copyTo(
      card.bgr(cv::Rect(card_width / 2, card_height / 2, card_width - card_width / 2,
                        card_height - card_height / 2)));

  // Large centre rank, fitted into the middle of the card, with suit marks above and below.
  int centre_height = card_height / 3;
  cv::Size size = glyph_size(glyph, centre_height, font);
  if (size.width > card_width * 0.6) {
    centre_height = static_cast<int>(centre_height * card_width * 0.6 / size.width);
    size = glyph_size(glyph, centre_height, font);
  }
  draw_glyph(card.bgr, glyph, {(card_width - size.width) / 2, (card_height - size.height) / 2},
             centre_height, ink, font);
  const int mark = std::max(4, card_height / 10);
  draw_suit(card.bgr, suit, {card_width / 2, card_height / 2 - centre_height / 2 - mark}, mark,
            ink);
  draw_suit(card.bgr, suit, {card_width / 2, card_height / 2 + centre_height / 2 + mark}, mark,
            ink);
  // Keep ink off the transparent corners.
  card.bgr.setTo(cv::Scalar::all(0), card.mask == 0);
  return card;
}

}  // namespace boxloop
