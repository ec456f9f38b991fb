#include "loop/state/proposals.h"

#include "store/settings.h"

namespace boxloop::loop {

std::string to_string(ThresholdSource source) {
  return source == ThresholdSource::kAudit ? "audit" : "labels";
}

Json to_json(const ProposalThreshold& c) {
  return Json{{"threshold", c.threshold}, {"f1", c.f1},           {"truths", c.truths},
              {"proposed", c.proposed},   {"matched", c.matched}, {"source", to_string(c.source)},
              {"images", c.images}};
}

std::optional<ProposalThreshold> recorded_proposal_threshold(const Json& metrics) {
  if (!metrics.is_object()) return std::nullopt;
  const auto it = metrics.find(kProposalMetricsKey);
  if (it == metrics.end() || !it->is_object()) return std::nullopt;
  const Json& p = *it;
  const auto threshold = p.find("threshold");
  if (threshold == p.end() || !threshold->is_number()) return std::nullopt;
  ProposalThreshold c;
  c.threshold = threshold->get<double>();
  const auto number = [&](const char* key, auto fallback) {
    const auto v = p.find(key);
    return v != p.end() && v->is_number() ? v->get<decltype(fallback)>() : fallback;
  };
  c.f1 = number("f1", 0.0);
  c.truths = number("truths", 0);
  c.proposed = number("proposed", 0);
  c.matched = number("matched", 0);
  c.images = number("images", 0);
  const auto source = p.find("source");
  c.source = source != p.end() && source->is_string() && *source == "labels"
                 ? ThresholdSource::kLabels
                 : ThresholdSource::kAudit;
  return c;
}

double effective_proposal_threshold(Store& store, std::optional<Id> model_id) {
  if (const auto set = store.settings().proposal_threshold) return *set;
  if (model_id) {
    if (const auto model = store.model(*model_id)) {
      if (const auto chosen = recorded_proposal_threshold(model->metrics)) {
        return chosen->threshold;
      }
    }
  }
  return kFallbackProposalThreshold;
}

ImageProposals proposals_for(Store& store, const Image& image) {
  ImageProposals out;
  if (image.status != ImageStatus::kUnlabeled) return out;
  out.model_id = store.queue_model();
  if (!out.model_id) return out;
  out.proposals = store.proposals(image.id, effective_proposal_threshold(store, out.model_id));
  return out;
}

}  // namespace boxloop::loop
