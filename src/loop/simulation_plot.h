// The simulation's learning curves as one self-contained SVG (no script, no external font or
// style), so a README can show it: panels of mAP@0.5 against images labeled, against boxes labeled
// and, when the runs simulated effort, against effort (labeler minutes, with the round models'
// proposals; random without proposals, every box drawn, as a dashed reference line), one line per
// strategy (the mean over seeds) with its 95 % interval as a band, axes with ticks, and a legend.
#pragma once

#include <string>

#include "loop/simulation_report.h"

namespace boxloop::loop {

// `caption`: a line under the plot (the test set, seeds, commit); may be empty. Each strategy is
// a <g class="series" data-strategy="..."> in each panel (<g class="panel" data-axis="images|
// boxes|effort">), holding a <path class="band"> (absent below 2 seeds) and a <polyline
// class="line">; the effort panel holds only strategies with effort, and before random's series
// a <g class="reference" data-strategy="random (no proposals)"> with its <polyline class="line">.
std::string simulation_svg(const SimulationSummary& summary, const std::string& caption);

}  // namespace boxloop::loop
