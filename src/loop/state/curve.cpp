#include "loop/state/curve.h"

#include <cstdio>

namespace boxloop::loop {

namespace {

std::optional<AuditPoint> audit_point(const Json& metrics) {
  const auto it = metrics.find("audit");
  if (it == metrics.end() || !it->is_object()) return std::nullopt;
  const Json& a = *it;
  AuditPoint p;
  p.images = a.value("images", 0);
  p.boxes = a.value("boxes", 0);
  p.map50 = a.value("map50", 0.0);
  p.map50_low = a.value("map50_low", 0.0);
  p.map50_high = a.value("map50_high", 0.0);
  p.map = a.value("map", 0.0);
  p.map_low = a.value("map_low", 0.0);
  p.map_high = a.value("map_high", 0.0);
  return p;
}

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f %%", share * 100);
  return text;
}

}  // namespace

std::vector<CurvePoint> learning_curve(Store& store) {
  std::vector<CurvePoint> curve;
  for (const ModelRecord& m : store.models()) {
    CurvePoint p;
    p.model_id = m.id;
    p.created_at = m.created_at;
    p.trained_on = m.trained_on;
    p.labeled_images = m.metrics.value("labeled_images", m.trained_on);
    p.labeled_boxes = m.metrics.value("labeled_boxes", 0);
    p.audit = audit_point(m.metrics);
    if (const auto it = m.metrics.find("agreement"); it != m.metrics.end() && it->is_object()) {
      if ((*it)["f1"].is_number()) p.agreement = (*it)["f1"].get<double>();
      p.agreement_sample = it->value("sample", 0);
      if ((*it)["previous_model_id"].is_number_integer()) {
        p.previous_model_id = (*it)["previous_model_id"].get<Id>();
      }
    }
    curve.push_back(p);
  }
  return curve;
}

StopSignal stop_signal(const std::vector<CurvePoint>& curve, const StopRule& rule) {
  StopSignal s;
  s.rule = rule;
  for (auto it = curve.rbegin(); it != curve.rend(); ++it) {
    if (!it->agreement || *it->agreement < rule.threshold) break;
    ++s.rounds_above;
  }
  s.stopped_changing = s.rounds_above >= rule.rounds;
  int measured = 0;
  for (const CurvePoint& p : curve) measured += p.agreement ? 1 : 0;
  if (s.stopped_changing) {
    s.message = "The model's predictions have stopped changing: the last " +
                std::to_string(s.rounds_above) + " rounds agreed with the round before on " +
                percent(rule.threshold) +
                " or more of their boxes. More labels are unlikely to help much; check the audit "
                "curve, then stop or label where the model is still wrong.";
  } else if (measured == 0) {
    s.message = "No agreement measured yet: it needs two rounds whose models find boxes.";
  } else {
    s.message = "The model is still changing: " + std::to_string(s.rounds_above) + " of the " +
                std::to_string(rule.rounds) + " rounds in a row needed agree on " +
                percent(rule.threshold) + " or more of their boxes. Keep labeling.";
  }
  return s;
}

AuditSummary audit_summary(Store& store) {
  AuditSummary a;
  a.fraction = store.settings().audit_fraction;
  int labeled = 0;
  for (const LabeledImage& l : store.labeled_images()) {
    ++labeled;
    if (!l.image.audit) continue;
    ++a.images;
    a.boxes += static_cast<int>(l.boxes.size());
  }
  if (a.images > 0) return a;
  const ImageCounts counts = store.image_counts();
  if (a.fraction <= 0) {
    a.note = "The audit set is off (audit_fraction 0): the curve has no unbiased figure.";
  } else if (labeled > 0 && counts.unlabeled == 0) {
    a.note =
        "No audit set: every image was imported already labeled, so none was drawn at random "
        "for an unbiased curve.";
  } else {
    a.note = "No audit image labeled yet: one in " +
             std::to_string(static_cast<int>(1 / a.fraction + 0.5)) +
             " images served is drawn at random for the audit set.";
  }
  return a;
}

Json curve_json(const AuditSummary& audit, const std::vector<CurvePoint>& curve,
                const StopSignal& stop) {
  Json rounds = Json::array();
  for (const CurvePoint& p : curve) {
    Json a = nullptr;
    if (p.audit) {
      a = Json{{"images", p.audit->images},         {"boxes", p.audit->boxes},
               {"map50", p.audit->map50},           {"map50_low", p.audit->map50_low},
               {"map50_high", p.audit->map50_high}, {"map", p.audit->map},
               {"map_low", p.audit->map_low},       {"map_high", p.audit->map_high}};
    }
    Json agreement = nullptr;
    if (p.agreement) {
      agreement = Json{
          {"f1", *p.agreement},
          {"sample", p.agreement_sample},
          {"previous_model_id", p.previous_model_id ? Json(*p.previous_model_id) : Json(nullptr)}};
    }
    rounds.push_back(Json{{"model_id", p.model_id},
                          {"created_at", p.created_at},
                          {"trained_on", p.trained_on},
                          {"labeled_images", p.labeled_images},
                          {"labeled_boxes", p.labeled_boxes},
                          {"audit", a},
                          {"agreement", agreement}});
  }
  return Json{
      {"audit", {{"fraction", audit.fraction}, {"images", audit.images}, {"boxes", audit.boxes}}},
      {"rounds", rounds},
      {"stop",
       {{"threshold", stop.rule.threshold},
        {"rounds_needed", stop.rule.rounds},
        {"rounds_above", stop.rounds_above},
        {"stopped_changing", stop.stopped_changing},
        {"message", stop.message}}},
      {"note", audit.note ? Json(*audit.note) : Json(nullptr)}};
}

}  // namespace boxloop::loop
