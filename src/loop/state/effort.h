// What labeling cost, per labeler and per round (issue 14): seconds per image, seconds per box and
// the share of boxes accepted as the model proposed them, from the effort each save recorded
// (Effort on LabelEvent). GET /api/stats and `boxloop stats` report it.
//
// Only saves that measured time count (Effort::active_seconds): a save by a script or from before
// effort was recorded says nothing about what a box costs. Within a group (a labeler, a round):
// - active_seconds sums every counted save, skips and re-saves included: they cost time too;
// - images are the images whose last counted save in the group labeled them (a re-save counts the
//   image once, a skip not at all), and boxes and accepted boxes are those of that last save;
// so seconds_per_image is the time it took to get an image labeled, all detours paid.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace boxloop::loop {

struct EffortFigures {
  int images = 0;
  int boxes = 0;
  int accepted = 0;  // boxes kept as proposed
  double active_seconds = 0;
  // None when there is nothing to divide by.
  std::optional<double> seconds_per_image() const;
  std::optional<double> seconds_per_box() const;
  std::optional<double> accepted_share() const;
};

struct LabelerEffort {
  std::string labeler;
  EffortFigures figures;
};

// A round is the model whose queue and proposals were current when the images were saved; none
// before the first model.
struct RoundEffort {
  std::optional<Id> model_id;
  EffortFigures figures;
};

struct EffortTables {
  std::vector<LabelerEffort> per_labeler;  // by name
  std::vector<RoundEffort> per_round;      // before any model first, then by model id
};

// From label events in save order (Store::effort_events); events without active_seconds are left
// out.
EffortTables effort_tables(const std::vector<LabelEvent>& events);

// {"per_labeler": [{"labeler", "images", "boxes", "active_seconds", "seconds_per_image",
//  "seconds_per_box", "accepted_share"}], "per_round": [{"model_id", ...the same}]}; a ratio with
// nothing to divide by is null.
Json to_json(const EffortTables& tables);

}  // namespace boxloop::loop
