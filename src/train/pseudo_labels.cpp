#include "train/pseudo_labels.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"

namespace boxloop {

std::vector<Sample> load_pseudo_labeled_samples(Store& store, const PseudoLabelOptions& options,
                                                int keep_size, std::uint64_t seed,
                                                const CancelFn& cancel, DecodeCache* cache) {
  std::vector<Sample> samples;
  if (options.threshold <= 0) return samples;
  std::vector<Image> candidates = store.images_with_status(ImageStatus::kUnlabeled);
  std::erase_if(candidates, [](const Image& image) { return image.audit; });
  std::sort(candidates.begin(), candidates.end(),
            [](const Image& a, const Image& b) { return a.id < b.id; });
  // A seeded order (a stream of its own: "pseudo" in ASCII), taken until the cap: a uniform sample
  // of the eligible images that asks the store for the proposals of only as many images as it
  // needs.
  std::mt19937_64 rng(splitmix64(seed ^ 0x70736575646fULL));
  std::shuffle(candidates.begin(), candidates.end(), rng);

  const std::map<Id, int64_t> class_of = class_indices(store.categories());
  for (const Image& image : candidates) {
    if (options.max_images > 0 && static_cast<int>(samples.size()) >= options.max_images) break;
    if (cancel && cancel()) throw Error{ErrorCode::kCancelled, "training cancelled"};
    std::vector<Annotation> boxes;
    for (const Proposal& p : store.proposals(image.id, options.threshold)) {
      if (!class_of.contains(p.category_id)) continue;  // a category the project no longer has
      Annotation a;
      a.image_id = image.id;
      a.category_id = p.category_id;
      a.box = p.box;
      a.source = BoxSource::kModel;
      a.score = p.score;
      boxes.push_back(a);
    }
    if (boxes.empty()) continue;
    Sample s = read_sample(store, image, boxes, class_of, keep_size, cache);
    // Boxes that clipping to the image removed entirely leave nothing to learn from it.
    if (!s.boxes.empty()) samples.push_back(std::move(s));
  }
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.image_id < b.image_id; });
  return samples;
}

int pseudo_label_slots(const PseudoLabelOptions& options, int batch, std::size_t available) {
  if (options.threshold <= 0 || batch < 2) return 0;
  const int share = static_cast<int>(std::lround(options.share * batch));
  const int there = static_cast<int>(std::min(available, static_cast<std::size_t>(batch)));
  return std::min({share, batch - 1, there});
}

std::vector<std::size_t> draw_pseudo_labeled(std::size_t first, std::size_t count, int slots,
                                             std::mt19937_64& rng) {
  std::vector<std::size_t> drawn;
  if (slots <= 0) return drawn;
  slots = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(slots), count));
  // Floyd's sampling: `slots` distinct values with `slots` draws, whatever the count.
  for (std::size_t j = count - static_cast<std::size_t>(slots); j < count; ++j) {
    const std::size_t t = std::uniform_int_distribution<std::size_t>(0, j)(rng);
    const std::size_t pick =
        std::find(drawn.begin(), drawn.end(), first + t) == drawn.end() ? first + t : first + j;
    drawn.push_back(pick);
  }
  return drawn;
}

}  // namespace boxloop
