// Proposals as labelers get them (GET /api/next, GET /api/images/{id}): the detections of the model
// that scored the queue, above the project's proposal threshold. The threshold is an admin's
// setting ("proposal_threshold") or, by default, the one each score job chose for its model and
// recorded in the model's metrics as "proposals" (loop/proposal_threshold.h chooses it; this half
// is free of LibTorch, for the server).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace boxloop::loop {

// The threshold served when it is automatic but the model has none recorded (a model scored
// before thresholds were chosen, or with no labeled image to choose on).
inline constexpr double kFallbackProposalThreshold = 0.5;

// What the threshold was chosen on: the labeled audit images (never trained on, so the F1 is
// honest), or all labeled images when no audit image is labeled yet (trained on: optimistic).
enum class ThresholdSource { kAudit, kLabels };
std::string to_string(ThresholdSource source);

// A model's chosen threshold and what it scored there (metrics.proposals).
struct ProposalThreshold {
  double threshold = kFallbackProposalThreshold;
  double f1 = 0;
  int truths = 0;    // labeled boxes on the images compared
  int proposed = 0;  // detections at or above the threshold
  int matched = 0;   // of those, ones that found a labeled box (same class, IoU >= 0.5)
  ThresholdSource source = ThresholdSource::kAudit;
  int images = 0;  // images compared
};

// {"threshold","f1","truths","proposed","matched","source":"audit"|"labels","images"}
Json to_json(const ProposalThreshold& choice);
// The "proposals" member of a model's metrics; nullopt when missing or malformed.
std::optional<ProposalThreshold> recorded_proposal_threshold(const Json& metrics);
// The key in a model's metrics.
inline constexpr const char* kProposalMetricsKey = "proposals";

// The threshold in force for `model`'s proposals: the admin's setting, else the model's chosen
// one, else kFallbackProposalThreshold.
double effective_proposal_threshold(Store& store, std::optional<Id> model_id);

struct ImageProposals {
  std::optional<Id> model_id;       // the model that scored the queue; none when the image is done
  std::vector<Proposal> proposals;  // highest score first, at most kMaxProposalsPerImage
};

// The proposals to show on `image`: none once it is labeled or skipped.
ImageProposals proposals_for(Store& store, const Image& image);

}  // namespace boxloop::loop
