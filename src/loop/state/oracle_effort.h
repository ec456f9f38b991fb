// The simulated labeler's effort (issue 14, "Effort in the simulation"): what an oracle that
// knows every true box does with the proposals the page shows on an image, and what that costs
// in seconds under a cost model. Free of LibTorch: boxes in, counts and seconds out.
#pragma once

#include <optional>
#include <vector>

#include "active/labeling_costs.h"
#include "core/json.h"
#include "core/types.h"
#include "store/store.h"

namespace boxloop::loop {

// What the oracle does on one image (or, summed, on many).
struct OracleActions {
  int drawn = 0;     // true boxes no proposal matched: drawn from scratch
  int accepted = 0;  // proposals kept as they are
  int adjusted = 0;  // proposals kept after moving an edge or changing the class
  int rejected = 0;  // proposals that match no true box: dismissed
  // Boxes on the image once it is labeled (every true box, whatever its origin).
  int boxes() const { return drawn + accepted + adjusted; }
  OracleActions& operator+=(const OracleActions& other);
  bool operator==(const OracleActions&) const = default;
};

// A proposal is accepted at IoU >= kAcceptIou with the right class; adjusted at IoU >=
// kAdjustIou otherwise (a tighter box or another class); below that it is no use.
inline constexpr double kAcceptIou = 0.7;
inline constexpr double kAdjustIou = 0.5;

// The oracle's actions on one image: `truths` are its true boxes (category_id and box; other
// fields ignored), `shown` the proposals the page shows (already cut at the proposal threshold
// and the per-image cap; image/model ids ignored). Proposals are taken in descending score (ties
// in the given order), each matched to an unmatched true box: the right-class one with the
// highest IoU >= kAcceptIou when there is one (accepted), else the one of any class with the
// highest IoU >= kAdjustIou (adjusted; the right class wins a tie), else none (rejected). True
// boxes left unmatched are drawn. Greedy by score is what a labeler does: the confident boxes
// are looked at first, and a box already taken is not taken twice.
OracleActions oracle_actions(const std::vector<Annotation>& truths,
                             const std::vector<Proposal>& shown);

// Seconds per action: active/labeling_costs.h (the +effort strategies divide by the same model).
using active::CostModel;

// Sum of the counts times their costs (accepted boxes cost `verify`).
double effort_seconds(const OracleActions& actions, const CostModel& costs);
// Labeling the same boxes without proposals: every box drawn.
double effort_seconds_drawn(const OracleActions& actions, const CostModel& costs);

// {"draw", "verify", "adjust", "reject"} in seconds.
Json to_json(const CostModel& costs);
// From that object; a missing key keeps `defaults`'. Throws kInvalidArgument naming a key that is
// unknown, not a number, or negative.
CostModel cost_model_from_json(const Json& j, CostModel defaults = {});

// {"drawn", "accepted", "adjusted", "rejected"}
Json to_json(const OracleActions& actions);
// Throws kCorrupt naming a missing or malformed count.
OracleActions oracle_actions_from_json(const Json& j);

// A cost model measured on a project's own labelers (the ★ of issue 14). A save records its
// active seconds and its counts of drawn / accepted / adjusted / rejected boxes, but not how the
// seconds split between them, nor the time spent looking at the image before any box. So only a
// save with a single kind of action says what that action costs: per action, the seconds of the
// labeled saves that did nothing else, divided by their count of that action (a ratio of sums,
// so a long save weighs by its boxes; the per-image overhead is folded into the per-box cost,
// which errs against proposals on images with few boxes). An action no such save measured keeps
// the default. Saves that also hold another kind of action are left out: separating the times
// would need a regression over saves with varied mixes, which a young project does not have.
struct MeasuredCost {
  CostModel costs;
  // Per action, the saves it was measured on (0: the default was kept).
  int draw_saves = 0;
  int verify_saves = 0;
  int adjust_saves = 0;
  int reject_saves = 0;
};
MeasuredCost measured_cost_model(const std::vector<LabelEvent>& events, CostModel defaults = {});

}  // namespace boxloop::loop
