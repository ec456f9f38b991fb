// Pseudo-labeled samples: unlabeled pool images trained on with the confident detections of the
// model that ordered the queue as their boxes (TrainOptions::pseudo_labels; AL-SSL, Elezi et al.
// CVPR 2022). The detections are the queue's stored proposals (Store::proposals), so nothing is
// detected again, and they change with each new queue as the labels do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "core/progress.h"
#include "store/store.h"
#include "train/dataset.h"
#include "train/decode_cache.h"
#include "train/options/train_options.h"

namespace boxloop {

// The pseudo-labeled images of the store, as load_samples reads labeled ones (class index =
// position of the category in Store::categories(), kept at most `keep_size`, pixels from `cache`
// when given): unlabeled images (never labeled, skipped or audit ones: the audit set must stay
// unseen for its figure to be unbiased) with at least one proposal scoring `options.threshold` or
// more, those proposals as their boxes. Images without such a proposal are left out, not trained
// as empty: a missed object would be taught as background. At most `options.max_images` (0: all),
// a random sample seeded by `seed`; sorted by image id. Empty when the option is off or there is
// no queue with proposals.
std::vector<Sample> load_pseudo_labeled_samples(Store& store, const PseudoLabelOptions& options,
                                                int keep_size, std::uint64_t seed,
                                                const CancelFn& cancel = nullptr,
                                                DecodeCache* cache = nullptr);

// How many images of a batch of `batch` come from `available` pseudo-labeled ones:
// round(share x batch), but never all of the batch (one slot at least stays with the human labels,
// whose passes count the epochs) nor more than there are. 0 when the option is off.
int pseudo_label_slots(const PseudoLabelOptions& options, int batch, std::size_t available);

// `slots` distinct indices drawn uniformly from [first, first + count) with `rng` (count >= slots).
std::vector<std::size_t> draw_pseudo_labeled(std::size_t first, std::size_t count, int slots,
                                             std::mt19937_64& rng);

}  // namespace boxloop
