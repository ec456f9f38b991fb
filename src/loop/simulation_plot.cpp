#include "loop/simulation_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

namespace boxloop::loop {

namespace {

constexpr double kPanelWidth = 490;
constexpr double kLeft = 62;  // inside a panel: room for the y tick labels
constexpr double kRight = 18;
constexpr double kTop = 56;
constexpr double kPlotHeight = 280;
constexpr double kLegendTop = kTop + kPlotHeight + 62;
constexpr double kLegendRow = 22;
constexpr int kLegendColumns = 3;

// Random in grey (the baseline), the others in distinct colours.
const char* colour(const std::string& strategy, std::size_t index) {
  // Enough for every strategy of one study (the cards study compares eleven).
  static const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                         "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79",
                                         "#637939", "#ad494a", "#7b4173", "#e7ba52"};
  if (strategy == "random") return "#6e6e6e";
  return kPalette[index % (sizeof kPalette / sizeof *kPalette)];
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v, int digits = 1) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A tick step of 1, 2 or 5 times a power of ten giving about `ticks` intervals over [0, max].
double tick_step(double max, int ticks) {
  if (!(max > 0)) return 1;
  const double raw = max / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return nice * magnitude;
}

int tick_digits(double step) {
  return step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
}

struct Axis {
  double max = 1;
  double step = 1;
};

Axis axis_to(double max, int ticks) {
  Axis a;
  a.step = tick_step(max, ticks);
  a.max = std::max(a.step, std::ceil(max / a.step - 1e-9) * a.step);
  return a;
}

struct Panel {
  const char* axis;  // "images" | "boxes" | "effort"
  const char* x_label;
  double left = 0;  // panel origin in the SVG
};

// A round's x on the panel's axis: images, boxes, or minutes of effort with proposals (none when
// the strategy's runs have no effort).
std::optional<double> x_of(const RoundStats& r, const Panel& p) {
  const std::string axis = p.axis;
  if (axis == "images") return r.images.mean;
  if (axis == "boxes") return r.boxes.mean;
  if (!r.effort_seconds) return std::nullopt;
  return r.effort_seconds->mean / 60;
}

bool has_x(const StrategySummary& s, const Panel& p) {
  if (s.rounds.empty()) return false;
  for (const RoundStats& r : s.rounds) {
    if (!x_of(r, p)) return false;
  }
  return true;
}

// Random labeled without proposals (every box drawn): the effort panel's reference, dashed.
void write_reference(std::ostringstream& svg, const StrategySummary& random,
                     const std::function<double(double)>& sx,
                     const std::function<double(double)>& sy) {
  svg << "<g class=\"reference\" data-strategy=\"random (no proposals)\">\n<polyline "
         "class=\"line\" points=\"";
  for (std::size_t k = 0; k < random.rounds.size(); ++k) {
    const RoundStats& r = random.rounds[k];
    svg << (k ? " " : "") << num(sx(r.effort_seconds_drawn->mean / 60)) << ","
        << num(sy(r.map50.mean));
  }
  svg << "\" fill=\"none\" stroke=\"#6e6e6e\" stroke-width=\"2\" stroke-dasharray=\"6 "
         "4\"/>\n</g>\n";
}

void write_panel(std::ostringstream& svg, const SimulationSummary& summary, const Panel& p,
                 const Axis& x_axis, const Axis& y_axis) {
  const double x0 = p.left + kLeft;
  const double plot_width = kPanelWidth - kLeft - kRight;
  const double y0 = kTop + kPlotHeight;
  const auto sx = [&](double x) { return x0 + x / x_axis.max * plot_width; };
  const auto sy = [&](double y) { return y0 - y / y_axis.max * kPlotHeight; };

  svg << "<g class=\"panel\" data-axis=\"" << p.axis << "\">\n";
  svg << "<text x=\"" << num(x0 + plot_width / 2) << "\" y=\"" << num(kTop - 14)
      << "\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">mAP@0.5 vs " << p.x_label
      << "</text>\n";
  // Grid and ticks.
  const int y_digits = tick_digits(y_axis.step);
  for (double y = 0; y <= y_axis.max + y_axis.step / 2; y += y_axis.step) {
    svg << "<line x1=\"" << num(x0) << "\" y1=\"" << num(sy(y)) << "\" x2=\""
        << num(x0 + plot_width) << "\" y2=\"" << num(sy(y))
        << "\" stroke=\"#e4e4e4\" stroke-width=\"1\"/>\n";
    svg << "<text x=\"" << num(x0 - 6) << "\" y=\"" << num(sy(y) + 4) << "\" text-anchor=\"end\">"
        << num(y, y_digits) << "</text>\n";
  }
  const int x_digits = tick_digits(x_axis.step);
  for (double x = 0; x <= x_axis.max + x_axis.step / 2; x += x_axis.step) {
    svg << "<line x1=\"" << num(sx(x)) << "\" y1=\"" << num(y0) << "\" x2=\"" << num(sx(x))
        << "\" y2=\"" << num(y0 + 5) << "\" stroke=\"#333\" stroke-width=\"1\"/>\n";
    svg << "<text x=\"" << num(sx(x)) << "\" y=\"" << num(y0 + 19) << "\" text-anchor=\"middle\">"
        << num(x, x_digits) << "</text>\n";
  }
  svg << "<polyline points=\"" << num(x0) << "," << num(kTop) << " " << num(x0) << "," << num(y0)
      << " " << num(x0 + plot_width) << "," << num(y0)
      << "\" fill=\"none\" stroke=\"#333\" stroke-width=\"1\"/>\n";
  svg << "<text x=\"" << num(x0 + plot_width / 2) << "\" y=\"" << num(y0 + 40)
      << "\" text-anchor=\"middle\">" << p.x_label << " (mean over seeds)</text>\n";
  svg << "<text transform=\"translate(" << num(p.left + 16) << "," << num(kTop + kPlotHeight / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">test mAP@0.5</text>\n";

  for (std::size_t i = 0; i < summary.strategies.size(); ++i) {
    const StrategySummary& s = summary.strategies[i];
    if (!has_x(s, p)) continue;
    if (std::string(p.axis) == "effort" && s.strategy == "random" &&
        s.rounds.back().effort_seconds_drawn) {
      write_reference(svg, s, sx, sy);
    }
    const char* c = colour(s.strategy, i);
    svg << "<g class=\"series\" data-strategy=\"" << escape(s.strategy) << "\">\n";
    std::string upper, lower;
    bool banded = !s.rounds.empty();
    for (const RoundStats& r : s.rounds) banded = banded && r.map50.low && r.map50.high;
    if (banded) {
      svg << "<path class=\"band\" d=\"M";
      for (std::size_t k = 0; k < s.rounds.size(); ++k) {
        const RoundStats& r = s.rounds[k];
        svg << (k ? " L" : "") << num(sx(*x_of(r, p))) << ","
            << num(sy(std::clamp(*r.map50.high, 0.0, y_axis.max)));
      }
      for (std::size_t k = s.rounds.size(); k-- > 0;) {
        const RoundStats& r = s.rounds[k];
        svg << " L" << num(sx(*x_of(r, p))) << ","
            << num(sy(std::clamp(*r.map50.low, 0.0, y_axis.max)));
      }
      svg << " Z\" fill=\"" << c << "\" fill-opacity=\"0.16\" stroke=\"none\"/>\n";
    }
    svg << "<polyline class=\"line\" points=\"";
    for (std::size_t k = 0; k < s.rounds.size(); ++k) {
      svg << (k ? " " : "") << num(sx(*x_of(s.rounds[k], p))) << ","
          << num(sy(s.rounds[k].map50.mean));
    }
    svg << "\" fill=\"none\" stroke=\"" << c << "\" stroke-width=\"2\"/>\n";
    for (const RoundStats& r : s.rounds) {
      svg << "<circle cx=\"" << num(sx(*x_of(r, p))) << "\" cy=\"" << num(sy(r.map50.mean))
          << "\" r=\"3\" fill=\"" << c << "\"/>\n";
    }
    svg << "</g>\n";
  }
  svg << "</g>\n";
}

}  // namespace

std::string simulation_svg(const SimulationSummary& summary, const std::string& caption) {
  double max_images = 0, max_boxes = 0, max_minutes = 0, max_map = 0;
  bool effort = false;
  for (const StrategySummary& s : summary.strategies) {
    for (const RoundStats& r : s.rounds) {
      max_images = std::max(max_images, r.images.mean);
      max_boxes = std::max(max_boxes, r.boxes.mean);
      max_map = std::max({max_map, r.map50.mean, r.map50.high.value_or(0)});
      if (r.effort_seconds) {
        effort = true;
        max_minutes = std::max(max_minutes, r.effort_seconds->mean / 60);
      }
      // Random's reference line without proposals is drawn too.
      if (s.strategy == "random" && r.effort_seconds_drawn) {
        max_minutes = std::max(max_minutes, r.effort_seconds_drawn->mean / 60);
      }
    }
  }
  const Axis y_axis = axis_to(std::min(1.0, std::max(max_map, 0.05)), 5);
  const Axis images_axis = axis_to(std::max(max_images, 1.0), 6);
  const Axis boxes_axis = axis_to(std::max(max_boxes, 1.0), 6);
  const Axis minutes_axis = axis_to(std::max(max_minutes, 1.0), 6);
  const double width = (effort ? 3 : 2) * kPanelWidth;

  const std::size_t legend_rows = (summary.strategies.size() + kLegendColumns - 1) / kLegendColumns;
  const double height = kLegendTop + legend_rows * kLegendRow + 44;
  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width, 0) << "\" height=\""
      << num(height, 0) << "\" viewBox=\"0 0 " << num(width, 0) << " " << num(height, 0)
      << "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\" fill=\"#222\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  write_panel(svg, summary, {"images", "images labeled", 0}, images_axis, y_axis);
  write_panel(svg, summary, {"boxes", "boxes labeled", kPanelWidth}, boxes_axis, y_axis);
  if (effort) {
    write_panel(svg, summary, {"effort", "effort (labeler minutes)", 2 * kPanelWidth}, minutes_axis,
                y_axis);
  }

  svg << "<g class=\"legend\">\n";
  const double column_width = (width - 2 * kLeft) / kLegendColumns;
  for (std::size_t i = 0; i < summary.strategies.size(); ++i) {
    const StrategySummary& s = summary.strategies[i];
    const double x = kLeft + static_cast<double>(i % kLegendColumns) * column_width;
    const double y = kLegendTop + static_cast<double>(i / kLegendColumns) * kLegendRow;
    const char* c = colour(s.strategy, i);
    svg << "<rect x=\"" << num(x) << "\" y=\"" << num(y - 9)
        << "\" width=\"22\" height=\"10\" fill=\"" << c << "\" fill-opacity=\"0.16\"/>\n"
        << "<line x1=\"" << num(x) << "\" y1=\"" << num(y - 4) << "\" x2=\"" << num(x + 22)
        << "\" y2=\"" << num(y - 4) << "\" stroke=\"" << c << "\" stroke-width=\"2\"/>\n"
        << "<text x=\"" << num(x + 28) << "\" y=\"" << num(y) << "\">" << escape(s.strategy) << " ("
        << s.seeds.size() << (s.seeds.size() == 1 ? " seed" : " seeds") << ")</text>\n";
  }
  svg << "</g>\n";
  const double caption_y = kLegendTop + legend_rows * kLegendRow + 10;
  svg << "<text x=\"" << num(kLeft) << "\" y=\"" << num(caption_y)
      << "\" font-size=\"11\" fill=\"#555\">lines: mean over seeds; bands: 95 % Student-t "
         "interval over seeds"
      << (effort ? "; effort: the oracle with the round model's proposals, dashed: random without "
                   "proposals (every box drawn)"
                 : "")
      << "</text>\n";
  if (!caption.empty()) {
    svg << "<text x=\"" << num(kLeft) << "\" y=\"" << num(caption_y + 16)
        << "\" font-size=\"11\" fill=\"#555\">" << escape(caption) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace boxloop::loop
