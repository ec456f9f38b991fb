#include "loop/state/oracle_effort.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/error.h"
#include "core/geometry.h"

namespace boxloop::loop {

namespace {

// The true box a proposal is matched to, and whether it is accepted as it is.
struct Match {
  std::size_t truth = 0;
  bool accepted = false;
};

std::optional<Match> best_match(const Proposal& p, const std::vector<Annotation>& truths,
                                const std::vector<bool>& taken) {
  std::optional<Match> accept, adjust;
  double accept_iou = 0, adjust_iou = 0;
  bool adjust_same_class = false;
  for (std::size_t t = 0; t < truths.size(); ++t) {
    if (taken[t]) continue;
    const double overlap = iou(p.box, truths[t].box);
    if (overlap < kAdjustIou) continue;
    const bool same_class = truths[t].category_id == p.category_id;
    if (same_class && overlap >= kAcceptIou && overlap > accept_iou) {
      accept = Match{t, true};
      accept_iou = overlap;
    }
    if (overlap > adjust_iou || (overlap == adjust_iou && same_class && !adjust_same_class)) {
      adjust = Match{t, false};
      adjust_iou = overlap;
      adjust_same_class = same_class;
    }
  }
  return accept ? accept : adjust;
}

[[noreturn]] void bad_cost(const std::string& key, const std::string& why) {
  throw Error{ErrorCode::kInvalidArgument, "cost model: '" + key + "' " + why};
}

int action_count(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer() || j[key].get<int>() < 0) {
    throw Error{ErrorCode::kCorrupt,
                std::string("oracle actions: '") + key + "' is missing or not a count"};
  }
  return j[key].get<int>();
}

// Seconds and count of one action over the saves that did only that.
struct Tally {
  double seconds = 0;
  int count = 0;
  int saves = 0;
  void add(double s, int n) {
    seconds += s;
    count += n;
    ++saves;
  }
  // The measured cost, or `fallback` when nothing was measured (and saves reset to 0).
  double cost(double fallback, int& saves_out) const {
    saves_out = count > 0 ? saves : 0;
    return count > 0 ? seconds / count : fallback;
  }
};

}  // namespace

OracleActions& OracleActions::operator+=(const OracleActions& o) {
  drawn += o.drawn;
  accepted += o.accepted;
  adjusted += o.adjusted;
  rejected += o.rejected;
  return *this;
}

OracleActions oracle_actions(const std::vector<Annotation>& truths,
                             const std::vector<Proposal>& shown) {
  std::vector<std::size_t> order(shown.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return shown[a].score > shown[b].score; });
  std::vector<bool> taken(truths.size(), false);
  OracleActions out;
  for (std::size_t i : order) {
    const std::optional<Match> match = best_match(shown[i], truths, taken);
    if (!match) {
      ++out.rejected;
      continue;
    }
    taken[match->truth] = true;
    ++(match->accepted ? out.accepted : out.adjusted);
  }
  out.drawn = static_cast<int>(std::count(taken.begin(), taken.end(), false));
  return out;
}

double effort_seconds(const OracleActions& a, const CostModel& c) {
  return a.drawn * c.draw + a.accepted * c.verify + a.adjusted * c.adjust + a.rejected * c.reject;
}

double effort_seconds_drawn(const OracleActions& a, const CostModel& c) {
  return a.boxes() * c.draw;
}

Json to_json(const CostModel& c) {
  return Json{{"draw", c.draw}, {"verify", c.verify}, {"adjust", c.adjust}, {"reject", c.reject}};
}

CostModel cost_model_from_json(const Json& j, CostModel costs) {
  if (!j.is_object()) bad_cost("(the whole)", "is not a JSON object");
  for (const auto& [key, value] : j.items()) {
    double* field = key == "draw"     ? &costs.draw
                    : key == "verify" ? &costs.verify
                    : key == "adjust" ? &costs.adjust
                    : key == "reject" ? &costs.reject
                                      : nullptr;
    if (!field) bad_cost(key, "is not a cost (draw, verify, adjust, reject)");
    if (!value.is_number()) bad_cost(key, "is not a number of seconds");
    if (value.get<double>() < 0) bad_cost(key, "is negative");
    *field = value.get<double>();
  }
  return costs;
}

Json to_json(const OracleActions& a) {
  return Json{{"drawn", a.drawn},
              {"accepted", a.accepted},
              {"adjusted", a.adjusted},
              {"rejected", a.rejected}};
}

OracleActions oracle_actions_from_json(const Json& j) {
  return OracleActions{action_count(j, "drawn"), action_count(j, "accepted"),
                       action_count(j, "adjusted"), action_count(j, "rejected")};
}

MeasuredCost measured_cost_model(const std::vector<LabelEvent>& events, CostModel defaults) {
  Tally draw, verify, adjust, reject;
  for (const LabelEvent& e : events) {
    if (!e.effort.active_seconds || e.status != ImageStatus::kLabeled) continue;
    const Effort& f = e.effort;
    const double s = *f.active_seconds;
    const int kinds = (f.drawn > 0) + (f.accepted > 0) + (f.adjusted > 0) + (f.rejected > 0);
    if (kinds != 1) continue;  // nothing done, or a mix whose seconds cannot be split
    if (f.drawn > 0) draw.add(s, f.drawn);
    if (f.accepted > 0) verify.add(s, f.accepted);
    if (f.adjusted > 0) adjust.add(s, f.adjusted);
    if (f.rejected > 0) reject.add(s, f.rejected);
  }
  MeasuredCost m;
  m.costs.draw = draw.cost(defaults.draw, m.draw_saves);
  m.costs.verify = verify.cost(defaults.verify, m.verify_saves);
  m.costs.adjust = adjust.cost(defaults.adjust, m.adjust_saves);
  m.costs.reject = reject.cost(defaults.reject, m.reject_saves);
  return m;
}

}  // namespace boxloop::loop
