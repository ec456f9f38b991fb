#include "synth/background.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace boxloop {

namespace {

cv::Scalar random_colour(std::mt19937_64& rng, int low, int high) {
  std::uniform_int_distribution<int> channel(low, high);
  return cv::Scalar(channel(rng), channel(rng), channel(rng));
}

}  // namespace

cv::Mat draw_background(int width, int height, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Mostly darker than the cards, as on a table; white cards on white would be unfair.
  const cv::Scalar from = random_colour(rng, 10, 170);
  const cv::Scalar to = random_colour(rng, 10, 170);
  const double angle = unit(rng) * 2 * M_PI;
  const double dx = std::cos(angle), dy = std::sin(angle);
  const double span = std::abs(dx) * width + std::abs(dy) * height;
  // t: position along the gradient direction folded into 0..1, so steep angles give bands.
  cv::Mat xs(1, width, CV_32F), ys(height, 1, CV_32F);
  for (int x = 0; x < width; ++x) xs.at<float>(0, x) = static_cast<float>(dx * x / span);
  for (int y = 0; y < height; ++y) ys.at<float>(y, 0) = static_cast<float>(dy * y / span);
  cv::Mat t = cv::repeat(xs, height, 1) + cv::repeat(ys, 1, width);
  cv::Mat floor_t;
  t.convertTo(floor_t, CV_32S);  // rounds to the nearest integer
  floor_t.convertTo(floor_t, CV_32F);
  t = 2 * cv::abs(t - floor_t);  // a triangle wave over 0..1
  std::vector<cv::Mat> channels(3);
  for (int c = 0; c < 3; ++c) {
    cv::Mat channel = t * (to[c] - from[c]) + from[c];
    channel.convertTo(channels[static_cast<std::size_t>(c)], CV_8U);
  }
  cv::Mat image;
  cv::merge(channels, image);
  if (unit(rng) < 0.6) {  // stripes, like a table cloth or wood grain
    const int period = 6 + static_cast<int>(unit(rng) * 40);
    const cv::Scalar stripe = random_colour(rng, 0, 200);
    const bool vertical = unit(rng) < 0.5;
    cv::Mat stripes = image.clone();
    for (int p = 0; p < (vertical ? width : height); p += period) {
      const cv::Point a = vertical ? cv::Point(p, 0) : cv::Point(0, p);
      const cv::Point b = vertical ? cv::Point(p, height) : cv::Point(width, p);
      cv::line(stripes, a, b, stripe, std::max(1, period / 3));
    }
    cv::addWeighted(image, 0.6, stripes, 0.4, 0, image);
  }
  const int blotches = static_cast<int>(unit(rng) * 8);
  for (int i = 0; i < blotches; ++i) {
    const cv::Point centre(static_cast<int>(unit(rng) * width),
                           static_cast<int>(unit(rng) * height));
    const int radius = 5 + static_cast<int>(unit(rng) * std::min(width, height) / 4);
    cv::circle(image, centre, radius, random_colour(rng, 0, 190), cv::FILLED, cv::LINE_AA);
  }
  // Sensor-like noise from OpenCV's generator, seeded from ours so the pixels stay deterministic.
  cv::RNG noise_rng(rng());
  const int amplitude = 8 + static_cast<int>(unit(rng) * 24);
  cv::Mat noise(height, width, CV_8UC3);
  noise_rng.fill(noise, cv::RNG::UNIFORM, 0, amplitude);
  cv::add(image, noise, image);
  cv::subtract(image, cv::Scalar::all(amplitude / 2), image);
  return image;
}

}  // namespace boxloop
