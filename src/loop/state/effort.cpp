#include "loop/state/effort.h"

#include <map>

namespace boxloop::loop {

namespace {

std::optional<double> ratio(double numerator, int denominator) {
  if (denominator <= 0) return std::nullopt;
  return numerator / denominator;
}

// One group's figures: seconds of every save, boxes of each image's last save.
class GroupTally {
 public:
  void add(const LabelEvent& event) {
    seconds_ += event.effort.active_seconds.value_or(0);
    last_save_[event.image_id] = &event;
  }

  EffortFigures figures() const {
    EffortFigures f;
    f.active_seconds = seconds_;
    for (const auto& [image_id, event] : last_save_) {
      if (event->status != ImageStatus::kLabeled) continue;
      ++f.images;
      f.boxes += event->box_count;
      f.accepted += event->effort.accepted;
    }
    return f;
  }

 private:
  double seconds_ = 0;
  std::map<Id, const LabelEvent*> last_save_;  // events are in save order: the last one wins
};

Json figures_json(const EffortFigures& f) {
  const auto optional = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
  return Json{{"images", f.images},
              {"boxes", f.boxes},
              {"active_seconds", f.active_seconds},
              {"seconds_per_image", optional(f.seconds_per_image())},
              {"seconds_per_box", optional(f.seconds_per_box())},
              {"accepted_share", optional(f.accepted_share())}};
}

}  // namespace

std::optional<double> EffortFigures::seconds_per_image() const {
  return ratio(active_seconds, images);
}

std::optional<double> EffortFigures::seconds_per_box() const {
  return ratio(active_seconds, boxes);
}

std::optional<double> EffortFigures::accepted_share() const { return ratio(accepted, boxes); }

EffortTables effort_tables(const std::vector<LabelEvent>& events) {
  std::map<std::string, GroupTally> by_labeler;
  // std::optional orders nullopt first: the saves before any model lead the rounds.
  std::map<std::optional<Id>, GroupTally> by_round;
  for (const LabelEvent& event : events) {
    if (!event.effort.active_seconds) continue;
    by_labeler[event.labeler].add(event);
    by_round[event.model_id].add(event);
  }
  EffortTables tables;
  for (const auto& [labeler, tally] : by_labeler) {
    tables.per_labeler.push_back(LabelerEffort{labeler, tally.figures()});
  }
  for (const auto& [model_id, tally] : by_round) {
    tables.per_round.push_back(RoundEffort{model_id, tally.figures()});
  }
  return tables;
}

Json to_json(const EffortTables& tables) {
  Json per_labeler = Json::array();
  for (const LabelerEffort& row : tables.per_labeler) {
    Json j = figures_json(row.figures);
    j["labeler"] = row.labeler;
    per_labeler.push_back(std::move(j));
  }
  Json per_round = Json::array();
  for (const RoundEffort& row : tables.per_round) {
    Json j = figures_json(row.figures);
    j["model_id"] = row.model_id ? Json(*row.model_id) : Json(nullptr);
    per_round.push_back(std::move(j));
  }
  return Json{{"per_labeler", per_labeler}, {"per_round", per_round}};
}

}  // namespace boxloop::loop
