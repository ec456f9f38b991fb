// Box-level queries (after Lyu et al., CVPR 2023, "Box-Level Active Detection"): instead of every
// box of an image, the labeler is asked about the regions where the round's model is unsure and
// labels completely only inside them (a partial label, LabelSave::regions); what lies outside is
// unknown, and training ignores it (DetectionTarget::known). Confident detections cost nothing:
// nobody is asked about them. Free of LibTorch: stored proposals in, regions out.
#pragma once

#include <cstddef>
#include <vector>

#include "core/types.h"

namespace boxloop::loop {

// What to ask about one image.
struct BoxQuery {
  bool ask = false;  // false: the model is sure of everything it sees here; leave the image
  // The regions to label completely, in pixels of the image; empty (with `ask`): the whole image,
  // as when the model sees nothing it would propose there (an object it misses would never be
  // asked about otherwise).
  std::vector<Box> regions;
  // The settled detections (see box_query), highest score first: what a labeler is not asked
  // about, and what ComPAS-style training (Lyu et al.) keeps as the model's own labels.
  std::vector<Proposal> settled;
};

// Grown by this share of its width and height on every side, a region shows the labeler the
// object with the background around it (and trains that background).
inline constexpr double kRegionContext = 0.25;

// The query for `image` from the detections the score step stored for it (Store::proposals:
// every detection scoring 0.05 or more, at most kMaxProposalsPerImage) and the proposal threshold
// `threshold` in force for that model (loop/state/proposals.h). A detection scoring at least
// halfway from the threshold to 1 is settled; one scoring from half the threshold up to that is
// unsure, and its box grown by kRegionContext (clipped to the image) is a region to ask about;
// below half the threshold it is noise. No detection at or above half the threshold: the whole
// image is asked about. Only settled ones: nothing is.
//
// `settled_at_threshold`: every detection at or above the threshold (every proposal the page
// would show) is settled instead, so only what the model barely sees is asked about.
BoxQuery box_query(const Image& image, const std::vector<Proposal>& stored, double threshold,
                   bool settled_at_threshold = false);

// Whether the centre of `box` lies in `region` (left and top edges inside, right and bottom not).
bool centre_inside(const Box& box, const Box& region);

// `box` grown by kRegionContext on every side, clipped to the image (may have zero size).
Box with_context(const Box& box, const Image& image);

// A partial label as a labeler who knows every true box gives it: the indices of `truths` whose
// centre lies inside one of `regions` (each labeled in full, even where it crosses the region's
// edge), and the regions grown to cover the boxes they took, so that every labeled box lies where
// the labels are complete.
struct PartialLabel {
  std::vector<std::size_t> taken;
  std::vector<Box> regions;
};
PartialLabel label_inside(const std::vector<Box>& truths, const std::vector<Box>& regions);

}  // namespace boxloop::loop
