// The loop's learning curve and stop signal as the page shows them (GET /api/loop/curve): per
// round, the audit set's mAP of the round's model with its interval, what had been labeled when
// it trained, and how much it agreed with the previous round's model. Read from the models'
// metrics, which the trainer (train/audit.h) and the score job (loop/agreement.h) write.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace boxloop::loop {

struct AuditPoint {
  int images = 0, boxes = 0;
  double map50 = 0, map50_low = 0, map50_high = 0;
  double map = 0, map_low = 0, map_high = 0;
};

struct CurvePoint {
  Id model_id = 0;
  std::string created_at;
  int trained_on = 0;
  int labeled_images = 0;  // labeled when it trained (audit images included: they cost labels too)
  int labeled_boxes = 0;
  std::optional<AuditPoint> audit;  // none: no audit image was labeled yet, or it trained on them
  std::optional<double> agreement;  // F1 with the previous round's model on unlabeled images
  int agreement_sample = 0;
  std::optional<Id> previous_model_id;
};

// The stop rule (Bloodgood & Vijay-Shanker 2009 stop when the agreement of successive models on a
// fixed unlabeled "stop set" stays above a threshold for k rounds; they used kappa 0.99 over 3
// rounds for text classification. For boxes, F1 agreement is noisier: an unsure box flickers
// across the score threshold, so 0.9 over 3 rounds).
struct StopRule {
  double threshold = 0.9;
  int rounds = 3;
};

struct StopSignal {
  StopRule rule;
  int rounds_above = 0;  // the latest rounds in a row whose agreement is at or above threshold
  bool stopped_changing = false;
  std::string message;
};

std::vector<CurvePoint> learning_curve(Store& store);
StopSignal stop_signal(const std::vector<CurvePoint>& curve, const StopRule& rule = {});

struct AuditSummary {
  double fraction = 0;
  int images = 0, boxes = 0;        // labeled audit images and their boxes
  std::optional<std::string> note;  // why there is no audit set, when there is none
};
AuditSummary audit_summary(Store& store);

// {"audit": {...}, "rounds": [...], "stop": {...}, "note"} (docs/api.md "Curve").
Json curve_json(const AuditSummary& audit, const std::vector<CurvePoint>& curve,
                const StopSignal& stop);

}  // namespace boxloop::loop
